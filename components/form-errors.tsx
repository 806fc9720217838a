"use client";

import { useEffect } from "react";
import type { ActionState } from "@/components/action-state";
import { Alert } from "@/components/ui";

/**
 * The form-level message after a refused submit. Field messages appear next to
 * their fields; any key the form has no field for is listed here so none is lost.
 */
export function FormErrorSummary({ state, placed }: { state: ActionState; placed: ReadonlySet<string> }) {
  if (state.ok || !state.message) return null;
  const unplaced = Object.entries(state.fieldErrors)
    .filter(([key]) => !placed.has(key))
    .flatMap(([key, messages]) => messages.map((m) => (key === "_" ? m : `${key}: ${m}`)));
  return (
    <Alert role="alert" data-testid="form-error">
      <p className="font-medium">{state.message}</p>
      {unplaced.length ? (
        <ul className="mt-1 list-disc pl-5">
          {unplaced.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      ) : Object.keys(state.fieldErrors).length ? (
        <p>The fields that need attention are marked below.</p>
      ) : null}
    </Alert>
  );
}

/** After a refused submit, moves focus to the first marked field inside `rootSelector`. */
export function useFocusFirstInvalid(state: ActionState, rootSelector: string) {
  useEffect(() => {
    if (state.ok || Object.keys(state.fieldErrors).length === 0) return;
    const first = document.querySelector<HTMLElement>(`${rootSelector} [aria-invalid='true']`);
    (first?.matches("fieldset") ? first.querySelector<HTMLElement>("input:not([disabled])") : first)?.focus();
  }, [state, rootSelector]);
}
