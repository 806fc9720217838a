import type { Metadata } from "next";
import { connection } from "next/server";
import { cache } from "react";
import { orNotFound } from "@/app/_lib/not-found";
import { uploadDatasetAction } from "@/app/(dashboard)/datasets/actions";
import { estimateTrainingAction, updateModelAction } from "@/app/(dashboard)/models/actions";
import { ModelForm } from "@/components/models/model-form";
import { Alert, PageHeader } from "@/components/ui";
import { isBusy } from "@/models/statuses";
import { listDatasets } from "@/lib/datasets";
import { algorithmCatalog } from "@/lib/ml/algorithms";
import { getModel } from "@/lib/training/service";

/** One read per request, shared by the page and its title. */
const readModel = cache((id: string) => orNotFound(getModel(id)));

export async function generateMetadata({ params }: PageProps<"/models/[id]/edit">): Promise<Metadata> {
  await connection();
  const model = await readModel((await params).id);
  return { title: `Edit ${model.name} · Models · NBA Ensemble Lab` };
}

export default async function EditModelPage({ params }: PageProps<"/models/[id]/edit">) {
  await connection();
  const { id } = await params;
  const [model, datasets] = await Promise.all([readModel(id), listDatasets()]);
  return (
    <div className="space-y-6">
      <PageHeader title={`Edit ${model.name}`} description="Saved artifacts keep serving until the model is trained again with the new settings." />
      {isBusy(model.status) ? <Alert tone="warn">This model is training; changes are refused until that run finishes.</Alert> : null}
      <ModelForm
        action={updateModelAction.bind(null, model.id)}
        estimateTraining={estimateTrainingAction}
        uploadAction={uploadDatasetAction}
        datasets={datasets}
        algorithms={algorithmCatalog()}
        submitLabel="Save changes"
        cancelHref={`/models/${model.id}`}
        initial={{
          name: model.name,
          algorithm: model.algorithm,
          hyperparameters: model.hyperparameters,
          features: model.features,
          target: model.target,
          training_csv: model.training_csv,
          calibration: model.calibration,
          seed: model.seed,
        }}
      />
    </div>
  );
}
