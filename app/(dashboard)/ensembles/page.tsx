import type { Metadata } from "next";
import Link from "next/link";
import { connection } from "next/server";
import { EnsemblesTable } from "@/components/ensembles/ensembles-table";
import { LiveRefresh } from "@/components/live-refresh";
import { ButtonLink, EmptyState, PageHeader } from "@/components/ui";
import { isBusy } from "@/models/statuses";
import { listEnsembles } from "@/lib/ensemble/service";
import { cursorParam } from "@/app/_lib/cursor";
import { Pager } from "@/components/pager";

export const metadata: Metadata = { title: "Ensembles · NBA Ensemble Lab" };

export default async function EnsemblesPage({ searchParams }: PageProps<"/ensembles">) {
  await connection();
  const after = cursorParam((await searchParams).after);
  const { ensembles, next_cursor } = await listEnsembles({ limit: 50, cursor: after });
  return (
    <div className="space-y-6">
      <PageHeader
        title="Ensembles"
        description="Stacking ensembles load their base models from saved artifacts, and retrain only the ones whose artifacts are missing or damaged."
        actions={<ButtonLink href="/ensembles/new">New ensemble</ButtonLink>}
      />
      <LiveRefresh active={ensembles.some((e) => isBusy(e.status))} />
      {ensembles.length === 0 ? (
        <EmptyState title="No ensembles yet">
          Train two or more models, then <Link className="text-court underline" href="/ensembles/new">build an ensemble</Link> from them.
        </EmptyState>
      ) : (
        <EnsemblesTable ensembles={ensembles} />
      )}
      <Pager basePath="/ensembles" nextCursor={next_cursor} paged={after !== undefined} shown={ensembles.length} />
    </div>
  );
}
