/**
 * npm run artifacts:copy -- --from <folder|gridfs://bucket> --to <folder|gridfs://bucket>
 *
 * Moves a deployment's artifacts between stores, e.g. from the local folder into
 * GridFS before running several web nodes and workers. Every file is checked
 * against the checksum its document recorded and read back after the copy;
 * names stay the same, so documents keep pointing at valid artifacts. Then set
 * ARTIFACT_DIR to the destination. Exit codes: 0 all copied, 1 a file did not
 * verify (it was not copied), 2 bad usage.
 */
import { parseArgs } from "node:util";
import { artifactStoreFor } from "@/lib/artifacts";
import { copyArtifacts } from "@/lib/artifacts/copy";
import { connectDb, disconnectDb } from "@/lib/db";
import { artifactRefs } from "@/lib/training/artifact-refs";
import { Ensemble } from "@/models/Ensemble";
import { ModelConfig } from "@/models/ModelConfig";

/** Path -> SHA-256 for every artifact a document records. */
async function recordedChecksums(): Promise<Map<string, string>> {
  const recorded = new Map<string, string>();
  for (const doc of await ModelConfig.find().lean()) {
    for (const ref of artifactRefs(doc)) if (ref.path && ref.sha256) recorded.set(ref.path, ref.sha256);
  }
  for (const e of await Ensemble.find().lean()) {
    if (e.meta_model_artifact_path && e.checksums?.meta_model) recorded.set(e.meta_model_artifact_path, e.checksums.meta_model);
    if (e.manifest_artifact_path && e.checksums?.manifest) recorded.set(e.manifest_artifact_path, e.checksums.manifest);
  }
  return recorded;
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { from: { type: "string" }, to: { type: "string" } } });
  if (!values.from || !values.to || values.from === values.to) {
    console.error("usage: npm run artifacts:copy -- --from <folder|gridfs://bucket> --to <folder|gridfs://bucket>");
    return 2;
  }
  const from = artifactStoreFor(values.from);
  const to = artifactStoreFor(values.to);
  await connectDb();
  const recorded = await recordedChecksums();
  const report = await copyArtifacts(from, to, recorded, (path, outcome) => console.error(`[copy] ${outcome.padEnd(10)} ${path}`));
  console.error(
    `[copy] ${report.copied.length} copied, ${report.unchanged.length} already there, ${report.mismatched.length} refused; ` +
      `${recorded.size} artifacts are recorded in the database.`,
  );
  for (const m of report.mismatched) console.error(`[copy] NOT COPIED ${m.path}: ${m.reason}`);
  if (report.mismatched.length === 0) console.error(`[copy] done: set ARTIFACT_DIR=${values.to} and restart every web node and worker.`);
  return report.mismatched.length === 0 ? 0 : 1;
}

main()
  .then((code) => (process.exitCode = code))
  .catch((err: unknown) => {
    console.error(`[copy] failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  })
  .finally(() => disconnectDb());
