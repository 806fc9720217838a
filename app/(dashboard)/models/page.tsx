import type { Metadata } from "next";
import Link from "next/link";
import { connection } from "next/server";
import { ModelsTable } from "@/components/models/models-table";
import { ButtonLink, Card, EmptyState, PageHeader } from "@/components/ui";
import { isBusy } from "@/models/statuses";
import { LiveRefresh } from "@/components/live-refresh";
import { listModels } from "@/lib/training/service";
import { cursorParam } from "@/app/_lib/cursor";
import { Pager } from "@/components/pager";
import { SimpleForm } from "@/components/simple-form";
import { importBundleAction } from "./actions";

export const metadata: Metadata = { title: "Models · NBA Ensemble Lab" };

export default async function ModelsPage({ searchParams }: PageProps<"/models">) {
  await connection();
  const after = cursorParam((await searchParams).after);
  const { models, next_cursor } = await listModels({ limit: 50, cursor: after });
  return (
    <div className="space-y-6">
      <PageHeader
        title="Models"
        description="Each model is trained once; its model, scaler and feature list are saved as artifacts and reused by ensembles."
        actions={<ButtonLink href="/models/new">New model</ButtonLink>}
      />
      <LiveRefresh active={models.some((m) => isBusy(m.status))} />
      {models.length === 0 ? (
        <EmptyState title="No models yet">
          <Link className="text-court underline" href="/models/new">Create a model</Link> from a dataset, then train it.
        </EmptyState>
      ) : (
        <ModelsTable models={models} />
      )}
      <Pager basePath="/models" nextCursor={next_cursor} paged={after !== undefined} shown={models.length} />
      <Card title="Import a bundle">
        <SimpleForm
          action={importBundleAction}
          label="Import a bundle"
          submitLabel="Import"
          fields={[
            {
              name: "bundle",
              label: "Bundle file",
              type: "file",
              accept: ".zip,application/zip,.json,application/json",
              hint: "A version's .bundle.zip, or a .bundle.json, downloaded from a model or ensemble page, here or on another deployment.",
            },
            { name: "name", label: "Import as (optional)", type: "text", hint: "A new name for an archive's model, when its own name is taken here." },
          ]}
        />
      </Card>
    </div>
  );
}
