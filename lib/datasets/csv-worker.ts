// A worker thread that reads and describes uploaded CSV files, so that parsing
// tens of megabytes never holds up the web server's event loop.
import { parentPort } from "node:worker_threads";
import { answerFor } from "./analysis";

parentPort?.on("message", (request: { id: number; file: string }) => {
  void answerFor(request.id, request.file).then((answer) => parentPort?.postMessage(answer));
});
