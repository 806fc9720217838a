/**
 * A form's fields as the lib's input: text as sent (the lib trims and
 * validates), fields listed in `lists` as arrays, `optional` fields left out
 * when empty so the lib's defaults apply, and `group.name` fields gathered into
 * a `group` object (empty ones left out): a number when the text reads as one,
 * the trimmed text otherwise, so a choice arrives as its option name and a typo
 * in a number field as text the lib reports as "must be a number".
 */
/** Names that would reach an object's prototype rather than a field of it. */
const RESERVED = new Set(["__proto__", "constructor", "prototype"]);

export function formInput(form: FormData, shape: { lists?: string[]; optional?: string[]; valueGroups?: string[] } = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const group of shape.valueGroups ?? []) out[group] = {};
  for (const key of new Set(form.keys())) {
    if (key.startsWith("$ACTION")) continue; // React's own fields for progressive enhancement
    if (RESERVED.has(key) || key.split(".").some((part) => RESERVED.has(part))) continue;
    const values = form.getAll(key).filter((v): v is string => typeof v === "string");
    if (values.length === 0) continue; // files are read by the actions that take them
    const [group, name] = key.split(".", 2);
    if (name !== undefined && shape.valueGroups?.includes(group)) {
      const text = values[0]?.trim();
      if (text) (out[group] as Record<string, number | string>)[name] = Number.isNaN(Number(text)) ? text : Number(text);
    } else if (shape.lists?.includes(key)) out[key] = values;
    else if (values[0]?.trim() || !shape.optional?.includes(key)) out[key] = values[0] ?? "";
  }
  for (const list of shape.lists ?? []) out[list] ??= [];
  return out;
}
