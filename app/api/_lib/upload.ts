import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import busboy from "busboy";
import type { DatasetUpload } from "@/lib/datasets";
import { chunksOf } from "@/app/_lib/streams";
import { PayloadTooLargeError, ValidationError } from "@/lib/errors";

/**
 * A dataset upload as the request carries it, streamed: the bytes are handed on
 * as they arrive and never buffered whole. The byte limit is applied to the file
 * by the lib as it writes; here the whole body is capped too (limit plus room
 * for the form's own parts), so parts around the file cannot be endless either.
 */

/** Room for the multipart boundaries, headers and the name field around the file. */
const FORM_OVERHEAD_BYTES = 64 * 1024;

const NO_FILE = () => new ValidationError("No file was uploaded.", { file: ["send the CSV in a field named file"] });

/** An upload plus its `kind` (?kind= or a form field), which a form may send after the file: a promise then. */
export type KindedUpload = DatasetUpload & { kind: unknown };

export async function datasetUploadFrom(req: Request, limitBytes: number): Promise<KindedUpload> {
  if (Number(req.headers.get("content-length") ?? "0") > limitBytes + FORM_OVERHEAD_BYTES) throw new PayloadTooLargeError(limitBytes);
  const type = req.headers.get("content-type") ?? "";
  if (type.startsWith("multipart/form-data")) return multipartUpload(req, type, limitBytes);
  if (type.startsWith("text/csv")) {
    const query = new URL(req.url).searchParams;
    return { name: query.get("name"), kind: query.get("kind") ?? undefined, body: chunksOf(req.body) };
  }
  throw new ValidationError("Send the CSV as multipart/form-data (field file) or as a text/csv body with ?name=.", {
    file: ["unsupported content type"],
  });
}

/**
 * Resolves once the part named `file` starts, with its bytes as a stream; the
 * `name` field (or else the file's own name) and the `kind` field are known only
 * when the whole form has been read, since a form may send them after the file.
 */
function multipartUpload(req: Request, contentType: string, limitBytes: number): Promise<KindedUpload> {
  return new Promise<KindedUpload>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: { "content-type": contentType },
        defParamCharset: "utf8",
        limits: { fields: 20, fieldSize: 1024, parts: 50, headerPairs: 20 },
      });
    } catch {
      reject(new ValidationError("The upload could not be read as a form.", { file: ["send the CSV in a field named file"] }));
      return;
    }
    if (!req.body) {
      reject(NO_FILE());
      return;
    }
    const source = Readable.fromWeb(req.body as unknown as NodeReadableStream<Uint8Array>);
    const fields = new Map<string, string>();
    let file: Readable | null = null;
    let fileName: string | undefined;
    let settleName: (name: string | undefined) => void = () => undefined;
    let failName: (err: Error) => void = () => undefined;
    const name = new Promise<string | undefined>((resolveName, rejectName) => {
      settleName = resolveName;
      failName = rejectName;
    });
    // Awaited only once the file part has ended well; a failure before that must not go unhandled.
    name.catch(() => undefined);
    const kind = name.then(() => fields.get("kind"));
    kind.catch(() => undefined);

    // Stops reading the request: whoever is waiting (for the file, or inside it) gets the error.
    const abandon = (err: Error) => {
      // The waiting side gets this error first: destroying the parser errors the file part on its own.
      if (file) file.destroy(err);
      else reject(err);
      failName(err);
      source.destroy();
      parser.destroy();
    };

    let received = 0;
    source.on("data", (chunk: Buffer) => {
      received += chunk.length;
      if (received > limitBytes + FORM_OVERHEAD_BYTES) abandon(new PayloadTooLargeError(limitBytes));
    });
    source.on("error", (err) => abandon(err));
    parser.on("field", (key, value) => fields.set(key, value));
    parser.on("file", (field, stream, info) => {
      // Whoever reads the part gets its errors; one destroyed after nobody reads it must not go unhandled.
      stream.on("error", () => undefined);
      if (field !== "file" || file) {
        stream.resume(); // other file parts are read past, not kept
        return;
      }
      file = stream;
      fileName = info.filename;
      resolve({ name, kind, body: fileChunks(stream, abandon) });
    });
    parser.on("close", () => {
      settleName(fields.get("name") || fileName);
      if (!file) reject(NO_FILE());
    });
    parser.on("error", () => abandon(new ValidationError("The upload could not be read as a form.", { file: ["send the CSV in a field named file"] })));
    source.pipe(parser);
  });
}

/** The file part's bytes; leaving early (the lib refusing it) stops reading the request altogether. */
async function* fileChunks(stream: Readable, abandon: (err: Error) => void): AsyncGenerator<Uint8Array> {
  let finished = false;
  try {
    for await (const chunk of stream) yield chunk as Uint8Array;
    finished = true;
  } finally {
    if (!finished) abandon(new Error("upload abandoned"));
  }
}
