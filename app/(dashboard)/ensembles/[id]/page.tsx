import type { Metadata } from "next";
import Link from "next/link";
import { connection } from "next/server";
import { cache } from "react";
import { orNotFound } from "@/app/_lib/not-found";
import { cancelBuildAction, deleteEnsembleAction, trainEnsembleAction } from "@/app/(dashboard)/ensembles/actions";
import { DeleteConfirm } from "@/components/delete-confirm";
import { HoldoutCard } from "@/components/ensembles/holdout-card";
import { RunsTable } from "@/components/ensembles/runs-table";
import { SpeedupSummary } from "@/components/ensembles/speedup-summary";
import { TimingChart } from "@/components/ensembles/timing-chart";
import { formatDate } from "@/components/format";
import { TrainPanel } from "@/components/jobs/train-panel";
import { MetricsList } from "@/components/models/metrics-list";
import { Alert, Badge, Card, DefinitionList, PageHeader, StatusBadge, buttonStyles } from "@/components/ui";
import { getEnsemble } from "@/lib/ensemble/service";
import { compareLatestBuild } from "@/lib/ensemble/speedup";
import { latestJobFor } from "@/lib/jobs/queue";
import { algorithmLabel } from "@/lib/ml/algorithms";

/** One read per request, shared by the page and its title. */
const readEnsemble = cache((id: string) => orNotFound(getEnsemble(id)));

/** Each ensemble's own title, so tabs, history and the route announcer say which ensemble this is. */
export async function generateMetadata({ params }: PageProps<"/ensembles/[id]">): Promise<Metadata> {
  await connection();
  const ensemble = await readEnsemble((await params).id);
  return { title: `${ensemble.name} · Ensembles · NBA Ensemble Lab` };
}

export default async function EnsemblePage({ params }: PageProps<"/ensembles/[id]">) {
  await connection();
  const { id } = await params;
  const ensemble = await readEnsemble(id);
  const job = await latestJobFor(ensemble.id);
  const latest = ensemble.runs.filter((r) => r.status === "succeeded").at(-1) ?? null;
  const built = ensemble.runs.length > 0;

  return (
    <div className="space-y-6">
      <PageHeader
        title={ensemble.name}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <StatusBadge status={ensemble.status} data-testid="ensemble-status" />
            {ensemble.stale ? (
              <Badge tone="warn" data-testid="stale-flag">
                stale
              </Badge>
            ) : null}
            <span>
              Stacking {ensemble.base_models.length} models with a {algorithmLabel(ensemble.meta_model_type).toLowerCase()} meta-model
            </span>
          </span>
        }
        actions={
          ensemble.run_id && !ensemble.stale ? (
            <a className={buttonStyles.secondary} href={`/api/ensembles/${ensemble.id}/bundle`} download data-testid="ensemble-bundle">
              Download bundle
            </a>
          ) : null
        }
      />

      {ensemble.stale ? (
        <Alert tone="warn" data-testid="stale-alert">
          <p className="font-medium">This ensemble is stale.</p>
          <p>
            {ensemble.stale_models
              .map((s) => `${s.name ?? "A deleted model"} ${s.now ? "was retrained" : "no longer exists"} since the last build`)
              .join("; ")}
            . Rebuild to stack the current versions.
          </p>
        </Alert>
      ) : null}

      <div className="grid grid-cols-1 gap-6 lg:grid-cols-2 [&>*]:min-w-0">
        <Card title={ensemble.stale ? "Rebuild" : "Build"}>
          <div className="space-y-3">
            <p className="text-sm text-slate-700">
              A build loads each base model from its artifacts when they are present and verified, retrains the ones that are not,
              then fits the meta-model on <code>{ensemble.meta_training_csv}</code>.
            </p>
            {ensemble.status === "failed" && ensemble.last_error ? (
              <Alert data-testid="ensemble-last-error">The last build failed: {ensemble.last_error}</Alert>
            ) : null}
            <TrainPanel
              start={trainEnsembleAction.bind(null, ensemble.id)}
              cancel={cancelBuildAction}
              latestJob={job}
              label={ensemble.stale ? "Rebuild ensemble" : built ? "Build again" : "Build ensemble"}
              runningLabel="Building…"
              subject="Build"
            />
          </div>
        </Card>
        <Card title="Latest build metrics">
          <MetricsList metrics={latest?.metrics ?? null} />
        </Card>
      </div>

      <HoldoutCard holdout={latest?.holdout ?? null} built={latest !== null} />

      <Card title="Build times" data-testid="timing-card">
        <div className="space-y-4">
          <SpeedupSummary comparison={compareLatestBuild(ensemble.runs, ensemble.base_models.map((b) => b.training_ms))} />
          {built ? <TimingChart runs={ensemble.runs} /> : null}
        </div>
      </Card>

      <Card title="Builds">
        {built ? <RunsTable runs={ensemble.runs} /> : <p className="text-sm text-slate-700">No builds yet.</p>}
      </Card>

      <Card title="Configuration">
        <DefinitionList
          items={[
            {
              term: "Base models",
              value: (
                <ul className="space-y-1">
                  {ensemble.base_models.map((b) => (
                    <li key={b.id}>
                      {b.exists ? (
                        <Link href={`/models/${b.id}`} className="text-court underline">
                          {b.name}
                        </Link>
                      ) : (
                        <span>deleted model ({b.id})</span>
                      )}{" "}
                      <span className="text-xs text-slate-600">
                        run <code>{b.run_id ?? "—"}</code>
                      </span>
                    </li>
                  ))}
                </ul>
              ),
            },
            { term: "Meta-model", value: algorithmLabel(ensemble.meta_model_type) },
            { term: "Meta training data", value: <code>{ensemble.meta_training_csv}</code> },
            { term: "Target", value: <code>{ensemble.target}</code> },
            { term: "Seed", value: ensemble.seed },
            { term: "Run", value: <code>{ensemble.run_id ?? "—"}</code> },
            { term: "Artifacts saved", value: formatDate(ensemble.artifacts_saved_at) },
          ]}
        />
      </Card>

      <Card title="Delete">
        <DeleteConfirm
          action={deleteEnsembleAction.bind(null, ensemble.id)}
          thing="ensemble"
          name={ensemble.name}
          consequence="Its meta-model and manifest files are removed; the base models stay."
        />
      </Card>
    </div>
  );
}
