import { predictWithEnsemble } from "@/lib/ensemble/load";
import { json, readJsonBytes, route } from "../../../_lib/respond";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

export const POST = route("editor", async (req: Request, { params }: Ctx) =>
  // The body is handed over still being read, and unparsed (a large one is parsed in two halves at once): the serving
  // stamp's read goes out meanwhile.
  json(await predictWithEnsemble((await params).id, readJsonBytes(req, 5 * 1024 * 1024))),
  "json",
  // Not run through the proxy (proxy.ts): it would copy a large body twice before this route starts.
  { unproxied: true },
);
