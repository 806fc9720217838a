"use client";

import { useActionState } from "react";
import { IDLE, type ActionState } from "@/components/action-state";
import { InputField, SelectField } from "@/components/field";
import { FormErrorSummary, useFocusFirstInvalid } from "@/components/form-errors";
import { submitKeepingValues } from "@/components/submit-keeping-values";
import { Alert, buttonStyles } from "@/components/ui";

/** One field of a small form, as plain data so a server component can describe it. */
export type SimpleField =
  | { name: string; label: string; type: "text" | "email" | "password"; autoComplete?: string; hint?: string; defaultValue?: string }
  | { name: string; label: string; type: "file"; accept: string; hint?: string }
  | { name: string; label: string; type: "select"; options: Array<{ value: string; label: string }>; hint?: string; defaultValue?: string }
  | { name: string; type: "hidden"; value: string };

/** What an action may hand back besides errors: a secret shown once (a new API token). */
export type SimpleFormState = ActionState & { secret?: string };

/**
 * The small forms of sign-in, set-up, users and tokens: labelled fields with
 * their errors, one submit button, and the action's message after it runs.
 */
export function SimpleForm({
  action,
  fields,
  submitLabel,
  label,
  inline = false,
}: {
  action: (prev: SimpleFormState, formData: FormData) => Promise<SimpleFormState>;
  fields: SimpleField[];
  submitLabel: string;
  label: string;
  inline?: boolean;
}) {
  const [state, formAction, pending] = useActionState(action, IDLE as SimpleFormState);
  const id = label.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  useFocusFirstInvalid(state, `[data-form="${id}"]`);
  return (
    <form
      action={formAction}
      onSubmit={submitKeepingValues(formAction)}
      noValidate
      aria-label={label}
      data-form={id}
      className={inline ? "flex flex-wrap items-end gap-2" : "space-y-4"}
    >
      {inline ? null : <FormErrorSummary state={state} placed={new Set(fields.map((f) => f.name))} />}
      {fields.map((f) =>
        f.type === "hidden" ? (
          <input key={f.name} type="hidden" name={f.name} value={f.value} />
        ) : f.type === "select" ? (
          <SelectField key={f.name} field={`${id}-${f.name}`} name={f.name} label={f.label} hint={f.hint} errors={state.fieldErrors[f.name]} defaultValue={f.defaultValue}>
            {f.options.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </SelectField>
        ) : (
          <InputField
            key={f.name}
            field={`${id}-${f.name}`}
            name={f.name}
            label={f.label}
            type={f.type}
            hint={f.hint}
            autoComplete={f.type === "file" ? undefined : f.autoComplete}
            defaultValue={f.type === "file" ? undefined : f.defaultValue}
            accept={f.type === "file" ? f.accept : undefined}
            errors={state.fieldErrors[f.name]}
          />
        ),
      )}
      <button type="submit" className={buttonStyles.primary} disabled={pending}>
        {pending ? "Working…" : submitLabel}
      </button>
      <div aria-live="polite" className={inline ? "w-full" : undefined}>
        {state.ok && state.message ? <Alert tone="good">{state.message}</Alert> : null}
        {inline && !state.ok && state.message ? <Alert role="alert">{state.message}</Alert> : null}
        {state.secret ? (
          <Alert tone="warn" data-testid="new-secret">
            Copy it now; it is shown only once: <code className="break-all font-mono">{state.secret}</code>
          </Alert>
        ) : null}
      </div>
    </form>
  );
}
