import { expect } from "vitest";
import { ValidationError } from "@/lib/errors";

/** Runs `fn`, asserts it refused with a ValidationError, and returns that error for field checks. */
export function refusal(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return err as ValidationError;
  }
  throw new Error("expected a ValidationError, but nothing was thrown");
}
