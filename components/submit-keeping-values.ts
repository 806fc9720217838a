"use client";

import { startTransition, type FormEvent } from "react";

/**
 * React resets a form after its action runs; on a validation error that would
 * throw away what the person typed (and the chosen file). Submitting through this
 * handler runs the same action without the reset. The form keeps its `action`
 * prop so it still works before hydration.
 */
export function submitKeepingValues(dispatch: (formData: FormData) => void) {
  return (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const submitter = (event.nativeEvent as SubmitEvent).submitter;
    const formData = new FormData(event.currentTarget, submitter instanceof HTMLElement ? submitter : null);
    startTransition(() => dispatch(formData));
  };
}
