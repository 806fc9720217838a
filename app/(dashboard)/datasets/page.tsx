import type { Metadata } from "next";
import { connection } from "next/server";
import { deleteDatasetAction, uploadDatasetAction } from "@/app/(dashboard)/datasets/actions";
import { SimpleForm } from "@/components/simple-form";
import { DatasetUploadForm } from "@/components/datasets/upload-form";
import { formatBytes, formatCount, formatDate } from "@/components/format";
import { ButtonLink, Card, EmptyState, PageHeader, DataTable, td } from "@/components/ui";
import { listDatasets } from "@/lib/datasets";

export const metadata: Metadata = { title: "Datasets · NBA Ensemble Lab" };

export default async function DatasetsPage() {
  await connection();
  const datasets = await listDatasets();
  return (
    <div className="space-y-6">
      <PageHeader
        title="Datasets"
        description="CSV files that models train on. Upload one, then create a model that uses its columns."
        actions={datasets.length > 0 ? <ButtonLink href="/models/new">Create a model</ButtonLink> : null}
      />
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-[minmax(0,2fr)_minmax(0,1fr)]">
        <Card title="Stored datasets">
          {datasets.length === 0 ? (
            <EmptyState title="No datasets yet">Upload a CSV with a header row, numeric feature columns and a 0/1 target column.</EmptyState>
          ) : (
            <DataTable label="Stored datasets" testId="datasets-table" minWidth="min-w-[640px]" headers={["Name", "Rows", "Columns", "Size", "Uploaded", "Delete"]}>
              <tbody>
                {datasets.map((d) => (
                  <tr key={d.path} data-testid="dataset-row" data-dataset={d.path}>
                    <th scope="row" className={`${td} whitespace-nowrap text-left font-medium`}>{d.path}</th>
                    <td className={`${td} tabular-nums`}>{formatCount(d.rows)}</td>
                    <td className={td}>
                      <span className="sr-only">{d.columns.length} columns: </span>
                      <span className="font-mono text-xs">{d.columns.join(", ")}</span>
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
        <Card title="Upload a CSV">
          <DatasetUploadForm action={uploadDatasetAction} />
        </Card>
      </div>
    </div>
  );
}
