import type { Metadata } from "next";
import { connection } from "next/server";
import { uploadDatasetAction } from "@/app/(dashboard)/datasets/actions";
import { createModelAction, estimateTrainingAction } from "@/app/(dashboard)/models/actions";
import { ModelForm } from "@/components/models/model-form";
import { PageHeader } from "@/components/ui";
import { listDatasets } from "@/lib/datasets";
import { algorithmCatalog, defaultHyperparameters } from "@/lib/ml/algorithms";

export const metadata: Metadata = { title: "New model · NBA Ensemble Lab" };

export default async function NewModelPage({ searchParams }: PageProps<"/models/new">) {
  await connection();
  const [{ dataset }, datasets] = await Promise.all([searchParams, listDatasets()]);
  const algorithms = algorithmCatalog();
  const chosen = typeof dataset === "string" && datasets.some((d) => d.path === dataset) ? dataset : (datasets[0]?.path ?? "");
  return (
    <div className="space-y-6">
      <PageHeader title="New model" description="Choose the data, the columns and the algorithm. Training starts from the model's page." />
      <ModelForm
        action={createModelAction}
        estimateTraining={estimateTrainingAction}
        uploadAction={uploadDatasetAction}
        datasets={datasets}
        algorithms={algorithms}
        submitLabel="Create model"
        cancelHref="/models"
        initial={{
          name: "",
          algorithm: algorithms[0].name,
          hyperparameters: defaultHyperparameters(algorithms[0].name),
          features: [],
          target: "",
          training_csv: chosen,
          calibration: "none",
          seed: 42,
        }}
      />
    </div>
  );
}
