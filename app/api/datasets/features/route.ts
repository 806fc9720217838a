import { buildFeatureDataset } from "@/lib/forecast/datasets";
import { json, readJson, route } from "../../_lib/respond";

export const dynamic = "force-dynamic";

/** {games_dataset, name, from_season?, to_season?} -> the feature table stored as a new dataset (201). */
export const POST = route("editor", async (req: Request) => json(await buildFeatureDataset(await readJson(req)), 201));
