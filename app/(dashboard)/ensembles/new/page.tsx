import type { Metadata } from "next";
import { connection } from "next/server";
import { createEnsembleAction } from "@/app/(dashboard)/ensembles/actions";
import { EnsembleForm } from "@/components/ensembles/ensemble-form";
import { PageHeader } from "@/components/ui";
import { listDatasets } from "@/lib/datasets";
import { algorithmCatalog, algorithmLabel } from "@/lib/ml/algorithms";
import { listModels } from "@/lib/training/service";

export const metadata: Metadata = { title: "New ensemble · NBA Ensemble Lab" };

export default async function NewEnsemblePage() {
  await connection();
  // The newest 200 models are offered; a team with more picks among the most recent.
  const [{ models }, datasets] = await Promise.all([listModels({ limit: 200 }, -1), listDatasets()]);
  return (
    <div className="space-y-6">
      <PageHeader
        title="New ensemble"
        description="Pick the base models and how to combine them. Building starts from the ensemble's page."
      />
      <EnsembleForm
        action={createEnsembleAction}
        datasets={datasets}
        // A linear meta-model is the usual choice for stacking: listed first, it is the default.
        algorithms={algorithmCatalog()
          .map(({ name, label }) => ({ name, label }))
          .sort((a, b) => Number(b.name === "logistic_regression") - Number(a.name === "logistic_regression"))}
        models={models.map((m) => ({
          id: m.id,
          name: m.name,
          algorithm_label: algorithmLabel(m.algorithm),
          target: m.target,
          features: m.features,
          training_csv: m.training_csv,
          status: m.status,
          artifacts_ok: m.artifacts_ok ?? false,
        }))}
      />
    </div>
  );
}
