/**
 * What a form's server action hands back to the form: a sentence for the whole
 * form and messages keyed by field name (the API's keys, e.g.
 * "hyperparameters.n_estimators"). Plain data, so client components can use it.
 */
export interface ActionState {
  ok: boolean;
  message: string | null;
  fieldErrors: Record<string, string[]>;
}

export const IDLE: ActionState = { ok: false, message: null, fieldErrors: {} };

/** Starting a background job: either its id or a sentence saying why not. */
export type StartJobResult = { ok: true; jobId: string } | { ok: false; message: string };

/** Cancelling a background job: the job as it now stands, or a sentence saying why not. */
export type CancelJobResult = { ok: true; status: string } | { ok: false; message: string };
