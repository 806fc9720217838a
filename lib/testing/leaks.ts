import { expect } from "vitest";

/**
 * Asserts that a response body a client would see names no server folder and
 * carries no stack trace: both belong in the logs only.
 */
export function expectNoServerDetails(body: string, folders: string[]): void {
  for (const folder of folders) expect(body, "an absolute server path").not.toContain(folder);
  expect(body, "an absolute server path").not.toMatch(/(^|[\s'"(])\/(tmp|work|home|root|usr|var|srv|opt)\//);
  expect(body, "a stack trace").not.toMatch(/\n\s+at |\bat .*\(\/.*:\d+:\d+\)/);
  expect(body, "a raw errno").not.toMatch(/\b(ENAMETOOLONG|ENOTDIR|EACCES|EISDIR|ELOOP|EIO)\b/);
}
