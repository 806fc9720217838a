import type { Metadata } from "next";
import Link from "next/link";
import { connection } from "next/server";
import { cache } from "react";
import { orNotFound } from "@/app/_lib/not-found";
import { cancelTrainingAction, deleteModelAction, promoteVersionAction, trainModelAction } from "@/app/(dashboard)/models/actions";
import { DeleteConfirm } from "@/components/delete-confirm";
import { formatDate, formatMs } from "@/components/format";
import { TrainPanel } from "@/components/jobs/train-panel";
import { ArtifactTable } from "@/components/models/artifact-table";
import { MetricsList } from "@/components/models/metrics-list";
import { VersionDiff } from "@/components/models/version-diff";
import { VersionsChart } from "@/components/models/versions-chart";
import { VersionsTable } from "@/components/models/versions-table";
import { pageIdentity } from "@/app/_lib/session";
import { Alert, ButtonLink, Card, DefinitionList, PageHeader, StatusBadge, buttonStyles } from "@/components/ui";
import { ensemblesUsing } from "@/lib/ensemble/service";
import { latestJobFor } from "@/lib/jobs/queue";
import { getModel } from "@/lib/training/service";
import { algorithmLabel } from "@/lib/ml/algorithms";

/** One read per request, shared by the page and its title. */
const readModel = cache((id: string) => orNotFound(getModel(id)));

/** Each model's own title, so tabs, history and the route announcer say which model this is. */
export async function generateMetadata({ params }: PageProps<"/models/[id]">): Promise<Metadata> {
  await connection();
  const model = await readModel((await params).id);
  return { title: `${model.name} · Models · NBA Ensemble Lab` };
}

/** A ?a= or ?b= run id, if it is one value. */
function runParam(value: string | string[] | undefined): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export default async function ModelPage({ params, searchParams }: PageProps<"/models/[id]">) {
  await connection();
  const { id } = await params;
  const query = await searchParams;
  const model = await readModel(id);
  const [job, usedBy, { allowed }] = await Promise.all([latestJobFor(model.id), ensemblesUsing(model.id), pageIdentity("editor")]);

  return (
    <div className="space-y-6">
      <PageHeader
        title={model.name}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <StatusBadge status={model.status} data-testid="model-status" />
            <span>{algorithmLabel(model.algorithm)}</span>
            <span aria-hidden="true">·</span>
            <span>
              trained on <code>{model.training_csv}</code>
            </span>
          </span>
        }
        actions={
          <>
            {model.run_id ? (
              <a className={buttonStyles.secondary} href={`/api/models/${model.id}/bundle`} download data-testid="model-bundle">
                Download bundle
              </a>
            ) : null}
            <ButtonLink variant="secondary" href={`/models/${model.id}/edit`}>
              Edit settings
            </ButtonLink>
          </>
        }
      />

      <div className="grid grid-cols-1 gap-6 lg:grid-cols-2 [&>*]:min-w-0">
        <Card title="Training">
          <div className="space-y-3">
            <p className="text-sm text-slate-700">
              {model.run_id
                ? `Last trained ${formatDate(model.artifacts_saved_at)} in ${formatMs(model.training_ms)}. Training again writes a new run and new artifacts.`
                : "Not trained yet. Training fits the scaler and the model, then saves three artifacts."}
            </p>
            {model.retrainable ? null : (
              <Alert tone="warn" data-testid="not-retrainable">
                Its dataset was deleted: this model keeps serving its current version but cannot be trained again.
              </Alert>
            )}
            {model.status === "failed" && model.last_error ? (
              <Alert data-testid="model-last-error">The last training failed: {model.last_error}</Alert>
            ) : null}
            <TrainPanel
              start={trainModelAction.bind(null, model.id)}
              cancel={cancelTrainingAction}
              latestJob={job}
              label={model.run_id ? "Train again" : "Train model"}
              subject="Training"
            />
          </div>
        </Card>
        <Card title="Holdout metrics">
          <MetricsList metrics={model.metrics} trainingMs={model.training_ms} />
        </Card>
      </div>

      <Card title="Artifacts" data-testid="artifacts-card">
        <div className="mb-3 space-y-1 text-sm text-slate-700">
          <p>
            Run <code data-testid="run-id">{model.run_id ?? "—"}</code>, saved {formatDate(model.artifacts_saved_at)}.
          </p>
          <p>
            Each file is checked on every page load: <strong>present</strong> means it exists and its checksum and format match
            the record.
          </p>
        </div>
        <ArtifactTable model={model} />
      </Card>

      <Card title="Configuration">
        <DefinitionList
          items={[
            { term: "Dataset", value: <code>{model.training_csv}</code> },
            { term: "Target", value: <code>{model.target}</code> },
            { term: "Features", value: <span className="font-mono text-sm">{model.features.join(", ")}</span>, testId: "model-features" },
            {
              term: "Hyperparameters",
              value: (
                <span className="font-mono text-sm">
                  {Object.entries(model.hyperparameters)
                    .map(([k, v]) => `${k}=${String(v)}`)
                    .join(", ")}
                </span>
              ),
            },
            { term: "Calibration", value: model.calibration },
            { term: "Seed", value: model.seed },
            {
              term: "Used by",
              value: usedBy.length ? (
                <span className="flex flex-wrap gap-2">
                  {usedBy.map((e) => (
                    <Link key={e.id} href={`/ensembles/${e.id}`} className="text-court underline">
                      {e.name}
                    </Link>
                  ))}
                </span>
              ) : (
                "no ensemble"
              ),
            },
          ]}
        />
      </Card>

      <Card title="Versions" data-testid="versions-card">
        <p className="mb-3 text-sm text-slate-700">
          Every successful run is a version with its own artifacts. Making an earlier one current is a rollback: ensembles built on another
          version become stale until rebuilt. The newest versions are kept (and any an ensemble uses); older ones lose their artifacts.
          Download saves a version as an archive that the Models page (or POST /api/models/import) imports on another deployment.
        </p>
        <div className="mb-4">
          <VersionsChart versions={model.versions} />
        </div>
        <VersionsTable
          modelId={model.id}
          versions={model.versions}
          promote={(runId) => promoteVersionAction.bind(null, model.id, runId)}
          canPromote={allowed}
        />
        {model.promotions.length ? (
          <div className="mt-4">
            <h3 className="text-sm font-semibold">Earlier versions made current</h3>
            <ul className="mt-1 space-y-1 text-sm text-slate-700" data-testid="promotions">
              {model.promotions.map((p) => (
                <li key={`${p.at}-${p.to}`}>
                  {formatDate(p.at)}: {p.by?.name ?? "someone"} moved the current version from <code className="text-xs">{p.from ?? "none"}</code> to{" "}
                  <code className="text-xs">{p.to}</code>
                </li>
              ))}
            </ul>
          </div>
        ) : null}
      </Card>

      <Card title="Compare versions" id="compare">
        <VersionDiff modelId={model.id} versions={model.versions} a={runParam(query.a)} b={runParam(query.b)} />
      </Card>

      <Card title="Delete">
        {usedBy.length ? (
          <p className="mb-3 text-sm text-slate-700">
            {usedBy.length > 1 ? `${usedBy.length} ensembles use` : "An ensemble uses"} this model; delete{" "}
            {usedBy.length > 1 ? "them" : "it"} first, or the deletion is refused.
          </p>
        ) : null}
        <DeleteConfirm
          action={deleteModelAction.bind(null, model.id)}
          thing="model"
          name={model.name}
          consequence="Its configuration, history and artifact files are removed."
        />
      </Card>
    </div>
  );
}
