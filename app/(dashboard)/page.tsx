import Link from "next/link";
import { connection } from "next/server";
import { EnsemblesTable } from "@/components/ensembles/ensembles-table";
import { GettingStarted } from "@/components/getting-started";
import { LiveRefresh } from "@/components/live-refresh";
import { ModelsTable } from "@/components/models/models-table";
import { ButtonLink, Card, EmptyState, PageHeader } from "@/components/ui";
import { isBusy } from "@/models/statuses";
import { listDatasets } from "@/lib/datasets";
import { countEnsembles, listEnsembles } from "@/lib/ensemble/service";
import { countModels, listModels } from "@/lib/training/service";

/** Models and ensembles the overview lists; the Models and Ensembles pages page through all of them. */
const SHOWN = 20;

export default async function OverviewPage() {
  await connection();
  // The newest of each, and counts: the overview stays quick with hundreds of models.
  const [{ models }, { ensembles }, datasets, counts, ensembleCount] = await Promise.all([
    listModels({ limit: SHOWN }, -1),
    listEnsembles({ limit: SHOWN }, -1),
    listDatasets(),
    countModels(),
    countEnsembles(),
  ]);
  const healthy = models.filter((m) => m.artifacts_ok);
  const stale = ensembles.filter((e) => e.stale);
  const busy = [...models, ...ensembles].some((x) => isBusy(x.status));
  const steps = [
    { title: "Upload a dataset", done: datasets.length > 0, href: "/datasets", action: "Upload a CSV", detail: "A CSV with numeric features and a 0/1 target." },
    { title: "Create a model", done: counts.total > 0, href: "/models/new", action: "Create a model", detail: "Pick features, target and algorithm." },
    { title: "Train it", done: counts.trained > 0, href: models[0] ? `/models/${models[0].id}` : "/models", action: "Open the model and train it", detail: "Saves model, scaler and feature list." },
    { title: "Build an ensemble", done: ensembleCount > 0, href: "/ensembles/new", action: "Build an ensemble", detail: "Stacks two or more saved models." },
  ];

  return (
    <div className="space-y-6">
      <PageHeader
        title="Models and ensembles"
        description="Train a model once, keep its artifacts, and build ensembles without retraining."
      />
      <LiveRefresh active={busy} />
      {steps.some((s) => !s.done) ? <GettingStarted steps={steps} /> : null}

      <dl className="grid grid-cols-2 gap-3 md:grid-cols-4" data-testid="overview-stats">
        <Stat label="Datasets" value={datasets.length} />
        <Stat label="Models trained" value={`${counts.trained} of ${counts.total}`} />
        <Stat label={counts.total > models.length ? `Artifacts verified (newest ${models.length})` : "Models with all artifacts verified"} value={`${healthy.length} of ${models.length}`} />
        <Stat label={ensembleCount > ensembles.length ? `Ensembles (stale of newest ${ensembles.length})` : "Ensembles (stale)"} value={`${ensembleCount} (${stale.length})`} />
      </dl>

      <Card title="Models" actions={<ButtonLink href="/models/new" variant="secondary">New model</ButtonLink>}>
        {models.length === 0 ? (
          <EmptyState title="No models yet">
            {datasets.length === 0 ? (
              <>
                First <Link className="text-court underline" href="/datasets">upload a dataset</Link>, then create a model from it.
              </>
            ) : (
              <>
                <Link className="text-court underline" href="/models/new">Create a model</Link> from one of your {datasets.length} datasets, then train it.
              </>
            )}
          </EmptyState>
        ) : (
          <ModelsTable models={models} />
        )}
      </Card>

      <Card title="Ensembles" actions={<ButtonLink href="/ensembles/new" variant="secondary">New ensemble</ButtonLink>}>
        {stale.length > 0 ? (
          <p className="mb-3 text-sm text-amber-900" data-testid="stale-summary">
            <span aria-hidden="true">! </span>
            {stale.length === 1 ? "1 ensemble is" : `${stale.length} ensembles are`} stale: a base model was retrained since the last build. Open it and rebuild.
          </p>
        ) : null}
        {ensembles.length === 0 ? (
          <EmptyState title="No ensembles yet">
            {counts.trained < 2
              ? "Train at least two models, then stack them into an ensemble."
              : <><Link className="text-court underline" href="/ensembles/new">Build an ensemble</Link> from your trained models.</>}
          </EmptyState>
        ) : (
          <EnsemblesTable ensembles={ensembles} />
        )}
      </Card>
    </div>
  );
}

function Stat({ label, value }: { label: string; value: string | number }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-3 shadow-sm">
      <dt className="text-xs font-medium text-slate-700">{label}</dt>
      <dd className="text-xl font-semibold tabular-nums">{value}</dd>
    </div>
  );
}
