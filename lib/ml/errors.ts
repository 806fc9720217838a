import { UserFacingError } from "@/lib/errors";

/**
 * Errors raised by the ML layer itself. Input problems a user can fix (a bad CSV,
 * bad hyperparameters) are `ValidationError`s from `@/lib/errors`; these classes
 * are for misuse by calling code and for model state that cannot be trusted.
 */

/** A matrix or vector does not have the shape the model or metric expects. */
export class DimensionMismatchError extends UserFacingError {
  constructor(message: string) {
    super(message);
    this.name = "DimensionMismatchError";
  }
}

/** `transform` or `predictProba` was called before `fit` (or `fromJSON`). */
export class NotFittedError extends UserFacingError {
  constructor(what: string) {
    super(`The ${what} has not been fitted yet: call fit() or load it from its saved state first.`);
    this.name = "NotFittedError";
  }
}

/**
 * Saved model or scaler state that cannot be loaded: wrong shape, missing fields,
 * numbers out of range. Callers loading artifacts turn this into their own
 * "corrupt artifact" error; the message says which part is wrong.
 */
export class InvalidModelStateError extends UserFacingError {
  constructor(message: string) {
    super(message);
    this.name = "InvalidModelStateError";
  }
}
