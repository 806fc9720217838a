import type { ComponentProps, ReactNode } from "react";

/** Ids that tie an input to its hint and error text (aria-describedby). */
export function fieldIds(name: string) {
  const safe = name.replace(/[^A-Za-z0-9_-]/g, "-");
  return { input: `field-${safe}`, error: `field-${safe}-error`, hint: `field-${safe}-hint` };
}

export function describedBy(name: string, errors: string[] | undefined, hasHint = false): string | undefined {
  const ids = fieldIds(name);
  const parts = [hasHint ? ids.hint : null, errors?.length ? ids.error : null].filter(Boolean);
  return parts.length ? parts.join(" ") : undefined;
}

/** The messages for one field, announced and placed right under it. */
export function FieldError({ name, errors }: { name: string; errors?: string[] }) {
  if (!errors?.length) return null;
  return (
    <p id={fieldIds(name).error} className="mt-1 text-sm font-medium text-red-800" data-testid={`field-error-${name}`}>
      <span aria-hidden="true">✕ </span>
      {errors.join("; ")}
    </p>
  );
}

export function Hint({ name, children }: { name: string; children: ReactNode }) {
  return (
    <p id={fieldIds(name).hint} className="mt-1 text-xs text-slate-600">
      {children}
    </p>
  );
}

/** border-slate-500: a field's edge needs 3:1 against the page to be seen as a field (WCAG 1.4.11). */
export const inputStyles =
  "mt-1 block w-full rounded-md border border-slate-500 bg-white px-3 py-2 text-sm shadow-sm aria-[invalid=true]:border-red-700 aria-[invalid=true]:ring-1 aria-[invalid=true]:ring-red-700";

export const labelStyles = "block text-sm font-medium text-slate-800";

type FieldFrame = {
  /** Key of the field's errors and the base of its element ids. */
  field: string;
  label: ReactNode;
  errors?: string[];
  hint?: ReactNode;
};

/** Label, hint and error around one control, wired up through aria-describedby. */
function Framed({ field, label, errors, hint, control }: FieldFrame & { control: (aria: ComponentProps<"input"> & ComponentProps<"select">) => ReactNode }) {
  const ids = fieldIds(field);
  return (
    <div>
      <label htmlFor={ids.input} className={labelStyles}>
        {label}
      </label>
      {control({ id: ids.input, "aria-invalid": errors?.length ? true : undefined, "aria-describedby": describedBy(field, errors, !!hint) })}
      {hint ? <Hint name={field}>{hint}</Hint> : null}
      <FieldError name={field} errors={errors} />
    </div>
  );
}

/** A labelled input with its hint and error. */
export function InputField({ field, label, errors, hint, name = field, className = "", ...input }: FieldFrame & ComponentProps<"input">) {
  return <Framed field={field} label={label} errors={errors} hint={hint} control={(aria) => <input {...aria} name={name} className={`${inputStyles} ${className}`} {...input} />} />;
}

/** A labelled select with its hint and error; `name={undefined}` keeps it out of the submitted form. */
export function SelectField({ field, label, errors, hint, children, ...select }: FieldFrame & ComponentProps<"select">) {
  return (
    <Framed field={field} label={label} errors={errors} hint={hint} control={(aria) => <select {...aria} className={inputStyles} {...select}>{children}</select>} />
  );
}

/** The random seed input both forms share: same data, config and seed give the same model. */
export function SeedField({ errors, value, onChange }: { errors?: string[]; value: string; onChange: (value: string) => void }) {
  return (
    <InputField
      field="seed"
      label="Random seed"
      errors={errors}
      type="number"
      inputMode="numeric"
      min={0}
      step={1}
      value={value}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}

/** The required name input of the model and ensemble forms. */
export function NameField({ label, errors, value, onChange }: { label: string; errors?: string[]; value: string; onChange: (value: string) => void }) {
  return (
    <InputField
      field="name"
      label={label}
      errors={errors}
      type="text"
      value={value}
      onChange={(e) => onChange(e.target.value)}
      maxLength={100}
      required
      autoComplete="off"
    />
  );
}
