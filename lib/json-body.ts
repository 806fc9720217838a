import { ValidationError } from "@/lib/errors";

/**
 * A request body's bytes, not parsed yet: a reader may parse a large body its
 * own way (a predict body in two halves at once, lib/ml/scoring-thread.ts) or
 * as every other JSON body is parsed, with `parse()`.
 */
export class JsonBytes {
  constructor(readonly bytes: Buffer) {}

  parse(): unknown {
    return parseJsonText(this.bytes.toString("utf8"));
  }
}

/** A JSON body's text: nothing but white space is {}; anything JSON.parse refuses is a ValidationError (400). */
export function parseJsonText(text: string): unknown {
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ValidationError("The request body is not valid JSON.");
  }
}
