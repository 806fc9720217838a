import mongoose from "mongoose";
import { listEnsembles } from "@/lib/ensemble/service";
import { FORECAST_FEATURES, NBA_TARGET_COLUMN } from "@/lib/nba/features";
import { ModelConfig } from "@/models/ModelConfig";
import { listGamesDatasets, type GamesDatasetView } from "./datasets";

/** An ensemble as the Forecast page offers it: usable, or the sentence saying why not. */
export interface EnsembleChoice {
  id: string;
  name: string;
  usable: boolean;
  reason: string | null;
}

const FORECASTABLE = new Set<string>(FORECAST_FEATURES);
const MAX_OFFERED = 200;

/**
 * What the Forecast page can offer, read from documents only (no artifact is
 * loaded): every ensemble with whether it can forecast now, and every games
 * dataset with its teams and dates. The forecast itself checks all of it again.
 */
export async function forecastChoices(): Promise<{ ensembles: EnsembleChoice[]; datasets: GamesDatasetView[] }> {
  // The newest ensembles: a page offers a choice, not an archive.
  const [{ ensembles }, datasets] = await Promise.all([listEnsembles({ limit: MAX_OFFERED }, -1), listGamesDatasets()]);
  const ids = [...new Set(ensembles.flatMap((e) => e.base_model_ids))].map((id) => new mongoose.Types.ObjectId(id));
  const models = await ModelConfig.find({ _id: { $in: ids } }, { name: 1, features: 1 }).lean();
  const byId = new Map(models.map((m) => [String(m._id), m]));
  const choices = ensembles.map((e): EnsembleChoice => {
    const why = (() => {
      if (!e.run_id) return "not built yet";
      if (e.stale) return "stale: a base model changed since the build; rebuild it first";
      if (e.target !== NBA_TARGET_COLUMN) return `predicts "${e.target}", not whether team 1 wins`;
      for (const id of e.base_model_ids) {
        const m = byId.get(id);
        const lacking = m?.features.find((f) => !FORECASTABLE.has(f));
        if (m && lacking) return `base model "${m.name}" needs "${lacking}", which forecasts cannot compute`;
      }
      return null;
    })();
    return { id: e.id, name: e.name, usable: why === null, reason: why };
  });
  return { ensembles: choices, datasets };
}
