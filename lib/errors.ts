import type { z } from "zod";

/**
 * Domain errors. Each says what is wrong and what to do in one sentence; the
 * HTTP layer maps them to status codes (app/api/_lib/respond.ts).
 */
export type FieldErrors = Record<string, string[]>;

/**
 * An error whose message is written for the person using the app: it says what
 * is wrong and names no server folder or internal detail, so it may be shown and
 * stored (a job's error, a model's last_error). Anything else is logged and
 * replaced by `publicMessage`'s fixed sentence.
 */
export class UserFacingError extends Error {}

/** The message a client may see for any error. */
export function publicMessage(err: unknown): string {
  return err instanceof UserFacingError ? err.message : "Something went wrong on the server; the error was logged.";
}

export class ValidationError extends UserFacingError {
  readonly fields: FieldErrors;
  constructor(message: string, fields: FieldErrors = {}) {
    super(message);
    this.name = "ValidationError";
    this.fields = fields;
  }
}

export class NotFoundError extends UserFacingError {
  constructor(what: string, id: string) {
    super(`No ${what} with id "${id}".`);
    this.name = "NotFoundError";
  }
}

export class ConflictError extends UserFacingError {
  constructor(message: string) {
    super(message);
    this.name = "ConflictError";
  }
}

export class PayloadTooLargeError extends UserFacingError {
  constructor(limitBytes: number) {
    super(`The upload is larger than the limit of ${Math.round(limitBytes / 1024 / 1024)} MB.`);
    this.name = "PayloadTooLargeError";
  }
}

/** No credentials, or credentials that are not valid (401). */
export class UnauthenticatedError extends UserFacingError {
  constructor(message = "Sign in first, or send an API token as Authorization: Bearer <token>.") {
    super(message);
    this.name = "UnauthenticatedError";
  }
}

/** Valid credentials with too little role (403). */
export class ForbiddenError extends UserFacingError {
  constructor(message: string) {
    super(message);
    this.name = "ForbiddenError";
  }
}

/** A body sent as a type this endpoint does not take (415). */
export class UnsupportedMediaTypeError extends UserFacingError {
  constructor(message: string) {
    super(message);
    this.name = "UnsupportedMediaTypeError";
  }
}

/** Turns a zod error into field-level messages keyed by dotted path. */
export function fieldErrorsFromZod(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): FieldErrors {
  // Keys come from the request ("__proto__" included): a Map, then own properties only.
  const out = new Map<string, string[]>();
  for (const issue of issues) {
    const key = issue.path.map(String).join(".") || "_";
    out.set(key, [...(out.get(key) ?? []), issue.message]);
  }
  return Object.fromEntries(out);
}

/** Parses input with a zod schema, or throws a ValidationError with field-level messages. */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown, message = "Some fields are not valid."): T {
  const result = schema.safeParse(input);
  if (!result.success) throw new ValidationError(message, fieldErrorsFromZod(result.error.issues));
  return result.data;
}
