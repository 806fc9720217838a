"use client";

import { useActionState, useEffect, useRef, useState } from "react";
import { IDLE, type ActionState } from "@/components/action-state";
import { Alert, buttonStyles } from "@/components/ui";

/**
 * Delete in two steps: the first button only asks; the second submits the
 * server action (which redirects on success or returns a sentence on refusal).
 */
export function DeleteConfirm({
  action,
  thing,
  name,
  consequence,
}: {
  action: (prev: ActionState, formData: FormData) => Promise<ActionState>;
  thing: string;
  name: string;
  consequence: string;
}) {
  const [asking, setAsking] = useState(false);
  const [state, formAction, pending] = useActionState(action, IDLE);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const openerRef = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);

  useEffect(() => {
    if (asking) confirmRef.current?.focus();
    else if (wasAsking.current) openerRef.current?.focus();
    wasAsking.current = asking;
  }, [asking]);

  if (!asking) {
    return (
      <div className="space-y-2">
        <button ref={openerRef} type="button" className={buttonStyles.dangerOutline} onClick={() => setAsking(true)} data-testid="delete-button">
          Delete {thing}…
        </button>
        {state.message ? <Alert role="alert">{state.message}</Alert> : null}
      </div>
    );
  }
  return (
    <form
      action={formAction}
      className="space-y-3 rounded-md border border-red-300 bg-red-50 p-3"
      data-testid="delete-confirm"
      aria-label={`Confirm deleting ${thing} ${name}`}
      onKeyDown={(e) => {
        if (e.key === "Escape") setAsking(false);
      }}
    >
      <p className="text-sm text-red-950">
        Delete the {thing} <strong>{name}</strong>? {consequence} This cannot be undone.
      </p>
      <div className="flex flex-wrap gap-2">
        <button ref={confirmRef} type="submit" className={buttonStyles.danger} disabled={pending} data-testid="delete-confirm-button">
          {pending ? "Deleting…" : `Yes, delete ${thing}`}
        </button>
        <button type="button" className={buttonStyles.secondary} onClick={() => setAsking(false)} disabled={pending}>
          Cancel
        </button>
      </div>
      {state.message ? (
        <Alert role="alert" data-testid="delete-error">
          {state.message}
        </Alert>
      ) : null}
    </form>
  );
}
