import { deleteDatasetChecked } from "@/lib/training/datasets";
import { json, route } from "../../_lib/respond";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ name: string }> };

/** DELETE /api/datasets/games (or games.csv); ?force=true keeps the models that train on it serving, never retraining. */
export const DELETE = route("editor", async (req: Request, { params }: Ctx) => {
  const name = (await params).name;
  const force = new URL(req.url).searchParams.get("force") === "true";
  return json(await deleteDatasetChecked(name.endsWith(".csv") ? name : `${name}.csv`, force));
});
