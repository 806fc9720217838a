import type { Metadata } from "next";
import { connection } from "next/server";
import { buildFeatureTableAction, deleteDatasetAction, uploadDatasetAction } from "@/app/(dashboard)/datasets/actions";
import { FeatureTableForm } from "@/components/datasets/feature-table-form";
import { SimpleForm } from "@/components/simple-form";
import { DatasetUploadForm } from "@/components/datasets/upload-form";
import { formatBytes, formatCount, formatDate } from "@/components/format";
import { Badge, ButtonLink, Card, EmptyState, PageHeader, DataTable, td } from "@/components/ui";
import { listAllDatasets, type DatasetListing } from "@/lib/forecast/datasets";

export const metadata: Metadata = { title: "Datasets · NBA Ensemble Lab" };

function Contents({ d }: { d: DatasetListing }) {
  if (d.games) {
    return (
      <span>
        {formatCount(d.games.games)} games, {d.games.first_date} to {d.games.last_date} (seasons {d.games.first_season}–{d.games.last_season}),{" "}
        {d.games.teams.length} teams{d.games.fivethirtyeight_elo ? ", with FiveThirtyEight's Elo" : ""}
      </span>
    );
  }
  return (
    <>
      <span className="sr-only">{d.columns.length} columns: </span>
      <span className="font-mono text-xs">{d.columns.join(", ")}</span>
    </>
  );
}

export default async function DatasetsPage() {
  await connection();
  const datasets = await listAllDatasets();
  const games = datasets.flatMap((d) => (d.games ? [{ path: d.path, firstSeason: d.games.first_season, lastSeason: d.games.last_season }] : []));
  return (
    <div className="space-y-6">
      <PageHeader
        title="Datasets"
        description="Game results to rate and forecast from, and the CSV tables models train on. Upload one, build a feature table from game results, then create a model that uses its columns."
        actions={datasets.length > 0 ? <ButtonLink href="/models/new">Create a model</ButtonLink> : null}
      />
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-[minmax(0,2fr)_minmax(0,1fr)]">
        <Card title="Stored datasets">
          {datasets.length === 0 ? (
            <EmptyState title="No datasets yet">
              Upload game results (date, season, team1, team2, score1, score2), or a CSV with a header row, numeric feature columns and a 0/1 target column.
            </EmptyState>
          ) : (
            <DataTable label="Stored datasets" testId="datasets-table" minWidth="min-w-[760px]" headers={["Name", "Kind", "Rows", "Contents", "Size", "Uploaded", "Delete"]}>
              <tbody>
                {datasets.map((d) => (
                  <tr key={d.path} data-testid="dataset-row" data-dataset={d.path} data-kind={d.kind}>
                    <th scope="row" className={`${td} whitespace-nowrap text-left font-medium`}>{d.path}</th>
                    <td className={td}>
                      <Badge tone={d.kind === "games" ? "info" : "neutral"}>{d.kind === "games" ? "games" : "table"}</Badge>
                    </td>
                    <td className={`${td} tabular-nums`}>{formatCount(d.rows)}</td>
                    <td className={td}>
                      <Contents d={d} />
                    </td>
                    <td className={`${td} whitespace-nowrap tabular-nums`}>{formatBytes(d.bytes)}</td>
                    <td className={`${td} whitespace-nowrap`}>{formatDate(d.created_at)}</td>
                    <td className={td}>
                      <SimpleForm
                        inline
                        action={deleteDatasetAction.bind(null, d.path)}
                        label={`Delete ${d.path}`}
                        submitLabel="Delete"
                        fields={[
                          {
                            name: "force",
                            label: "If models train on it",
                            type: "select",
                            options: [
                              { value: "", label: "refuse" },
                              { value: "true", label: "keep them serving, never retrained" },
                            ],
                          },
                        ]}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </DataTable>
          )}
        </Card>
        <div className="space-y-6">
          <Card title="Upload a CSV">
            <DatasetUploadForm action={uploadDatasetAction} />
          </Card>
          <Card title="Build a feature table">
            {games.length === 0 ? (
              <p className="text-sm text-slate-700">Upload game results first: a feature table is built from a games dataset.</p>
            ) : (
              <FeatureTableForm action={buildFeatureTableAction} datasets={games} />
            )}
          </Card>
        </div>
      </div>
    </div>
  );
}
