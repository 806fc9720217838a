import { config } from "@/lib/config";
import { listDatasets, saveDataset } from "@/lib/datasets";
import { PayloadTooLargeError, ValidationError } from "@/lib/errors";
import { json, readTextCapped, route } from "../_lib/respond";

export const dynamic = "force-dynamic";

export const GET = route("viewer", async () => json({ datasets: await listDatasets() }));

/** Multipart (field `file`, optional field `name`) or a text/csv body with ?name=. */
export const POST = route("editor", async (req: Request) => {
  const limit = config().maxUploadBytes;
  if (Number(req.headers.get("content-length") ?? "0") > limit + 64 * 1024) throw new PayloadTooLargeError(limit);
  const type = req.headers.get("content-type") ?? "";
  let name: unknown;
  let text: string;
  if (type.startsWith("multipart/form-data")) {
    const form = await req.formData().catch(() => {
      throw new ValidationError("The upload could not be read as a form.", { file: ["send the CSV in a field named file"] });
    });
    const file = form.get("file");
    if (!(file instanceof File)) throw new ValidationError("No file was uploaded.", { file: ["send the CSV in a field named file"] });
    if (file.size > limit) throw new PayloadTooLargeError(limit);
    name = form.get("name") || file.name;
    text = await file.text();
  } else if (type.startsWith("text/csv")) {
    name = new URL(req.url).searchParams.get("name");
    text = await readTextCapped(req, limit);
  } else {
    throw new ValidationError("Send the CSV as multipart/form-data (field file) or as a text/csv body with ?name=.", {
      file: ["unsupported content type"],
    });
  }
  return json(await saveDataset({ name, text }), 201);
}, "upload");
