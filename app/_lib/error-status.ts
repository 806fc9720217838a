import { ZodError } from "zod";
import { ArtifactError } from "@/lib/artifacts";
import { ConfigError } from "@/lib/config";
import { DatabaseUnavailableError } from "@/lib/db";
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  UnauthenticatedError,
  UnsupportedMediaTypeError,
  ValidationError,
  fieldErrorsFromZod,
  type FieldErrors,
} from "@/lib/errors";

/** What a route answers or a form shows for a thrown error; null for errors nobody planned for. */
export interface KnownError {
  status: number;
  message: string;
  fields?: FieldErrors;
}

/**
 * The one mapping from domain errors to HTTP status, shared by route handlers
 * and server actions. Known errors carry a sentence meant for people.
 */
export function knownError(err: unknown): KnownError | null {
  if (err instanceof ValidationError) return { status: 400, message: err.message, fields: err.fields };
  if (err instanceof ZodError) return { status: 400, message: "The request is not valid.", fields: fieldErrorsFromZod(err.issues) };
  if (err instanceof UnauthenticatedError) return { status: 401, message: err.message };
  if (err instanceof ForbiddenError) return { status: 403, message: err.message };
  if (err instanceof NotFoundError) return { status: 404, message: err.message };
  if (err instanceof ConflictError) return { status: 409, message: err.message };
  // Missing, corrupt or incompatible artifacts: the request is fine, the model's state is not.
  if (err instanceof ArtifactError) return { status: 409, message: err.message };
  if (err instanceof PayloadTooLargeError) return { status: 413, message: err.message };
  if (err instanceof UnsupportedMediaTypeError) return { status: 415, message: err.message };
  if (err instanceof DatabaseUnavailableError || err instanceof ConfigError) return { status: 503, message: err.message };
  return null;
}
