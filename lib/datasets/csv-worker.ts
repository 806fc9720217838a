// A worker thread that reads and describes uploaded CSV files, so that parsing
// tens of megabytes never holds up the web server's event loop.
import os from "node:os";
import { parentPort } from "node:worker_threads";
import { answerFor } from "./analysis";

// On Linux the nice value belongs to the thread that sets it: with cores to
// share, requests on the main thread go first and the parse takes what is left.
try {
  os.setPriority(0, 10);
} catch {
  // Not permitted or not supported here: the parse simply runs at normal priority.
}

parentPort?.on("message", (request: { id: number; file: string }) => {
  void answerFor(request.id, request.file).then((answer) => parentPort?.postMessage(answer));
});
