import os from "node:os";
import { parentPort } from "node:worker_threads";
import { ValidationError, type FieldErrors } from "@/lib/errors";

/** What a thread sends back: plain data, since errors do not cross threads with their class. */
export type Answer<Res> =
  | { id: number; ok: true; value: Res }
  | { id: number; ok: false; refusal: { message: string; fields: FieldErrors } }
  | { id: number; ok: false; failure: string };

/**
 * The thread's side: answers each request with `handle`'s result, a
 * ValidationError as a refusal, anything else as a failure. With cores to share,
 * background work runs at a lower priority (on Linux the nice value belongs to
 * the thread that sets it), so requests on the main thread go first; work a
 * request waits for (`priority: "request"`) keeps the normal one.
 */
export function serveRequests<Req, Res>(
  handle: (request: Req) => Promise<Res> | Res,
  { priority = "background" }: { priority?: "background" | "request" } = {},
): void {
  if (priority === "background") {
    try {
      os.setPriority(0, 10);
    } catch {
      // Not permitted or not supported here: the work simply runs at normal priority.
    }
  }
  parentPort?.on("message", ({ id, request }: { id: number; request: Req }) => {
    void (async (): Promise<Answer<Res>> => {
      try {
        return { id, ok: true, value: await handle(request) };
      } catch (err) {
        if (err instanceof ValidationError) return { id, ok: false, refusal: { message: err.message, fields: err.fields } };
        return { id, ok: false, failure: err instanceof Error ? err.message : String(err) };
      }
    })().then((answer) => parentPort?.postMessage(answer));
  });
}
