/**
 * A form's fields as the lib's input: text as sent (the lib trims and
 * validates), fields listed in `lists` as arrays, `optional` fields left out
 * when empty so the lib's defaults apply, and `group.name` fields gathered into
 * a `group` object of numbers (empty ones left out; anything else becomes a
 * number, NaN when it is not one, which the lib reports as "must be a number").
 */
export function formInput(form: FormData, shape: { lists?: string[]; optional?: string[]; numberGroups?: string[] } = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const group of shape.numberGroups ?? []) out[group] = {};
  for (const key of new Set(form.keys())) {
    if (key.startsWith("$ACTION")) continue; // React's own fields for progressive enhancement
    const values = form.getAll(key).filter((v): v is string => typeof v === "string");
    if (values.length === 0) continue; // files are read by the actions that take them
    const [group, name] = key.split(".", 2);
    if (name !== undefined && shape.numberGroups?.includes(group)) {
      if (values[0]?.trim()) (out[group] as Record<string, number>)[name] = Number(values[0].trim());
    } else if (shape.lists?.includes(key)) out[key] = values;
    else if (values[0]?.trim() || !shape.optional?.includes(key)) out[key] = values[0] ?? "";
  }
  for (const list of shape.lists ?? []) out[list] ??= [];
  return out;
}
