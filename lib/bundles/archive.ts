import { strToU8, unzipSync, zipSync, type UnzipFileInfo } from "fflate";
import { z } from "zod";
import { defaultArtifactStore, type ArtifactStore } from "@/lib/artifacts";
import { fieldErrorsFromZod } from "@/lib/errors";
import { MODEL_ARTIFACT_KINDS, type ModelArtifactKind } from "@/lib/training/artifact-refs";
import { Bundle, BundleRefusal, BundledModel, exportModelBundle, importBundle, refuse, type BundleDocument, type ImportResult } from "./index";

/**
 * A model version's bundle as a zip archive: the three artifact files, byte for
 * byte, beside a manifest.json that is the bundle itself without the artifacts'
 * text (the settings, metrics, lineage, runtime, checksums, and the bundle
 * format's name and version) plus each file's name and size. Reading one turns
 * it back into the bundle and hands it to importBundle, which checks
 * everything else; this file only checks the container: that it is a zip, that
 * it holds exactly these four plain file names, and that it cannot inflate past
 * a bound (sizes are checked before inflating, and inflation writes into a
 * buffer of the declared size, so a lying entry cannot grow).
 */

export const MANIFEST_NAME = "manifest.json";
export const ARCHIVE_FILES = { model: "model.json", scaler: "scaler.json", features: "features.json" } as const satisfies Record<ModelArtifactKind, string>;
const EXPECTED = new Set<string>([MANIFEST_NAME, ...Object.values(ARCHIVE_FILES)]);

/** How much all entries together may inflate to (the JSON bundle takes artifacts of up to 100 MB each). */
export const MAX_INFLATED_BYTES = 256 * 1024 * 1024;
const MAX_MANIFEST_BYTES = 1024 * 1024;

const fileEntry = <N extends string>(name: N) => z.object({ name: z.literal(name), bytes: z.number().int().min(1).max(MAX_INFLATED_BYTES) }).strict();

/** The manifest: the bundle of one model version, less the artifacts' text, plus where each artifact is in the archive. */
export const ArchiveManifest = Bundle.omit({ models: true, ensemble: true })
  .extend({
    models: z
      .array(
        BundledModel.omit({ artifacts: true })
          .extend({ files: z.object({ model: fileEntry(ARCHIVE_FILES.model), scaler: fileEntry(ARCHIVE_FILES.scaler), features: fileEntry(ARCHIVE_FILES.features) }).strict() })
          .strict(),
      )
      .length(1),
    ensemble: z.null(),
  })
  .strict();

export type ArchiveManifestDocument = z.input<typeof ArchiveManifest>;

// ---------------------------------------------------------------- export

/** One version of a model (the current one when runId is left out) as a zip archive and the file name to save it under. */
export async function exportModelArchive(modelId: string, runId?: string, store: ArtifactStore = defaultArtifactStore()): Promise<{ fileName: string; bytes: Uint8Array }> {
  const bundle = await exportModelBundle(modelId, store, runId);
  const { artifacts, ...model } = bundle.models[0];
  const files = Object.fromEntries(MODEL_ARTIFACT_KINDS.map((k) => [k, strToU8(artifacts[k])])) as Record<ModelArtifactKind, Uint8Array>;
  const manifest: ArchiveManifestDocument = {
    ...bundle,
    models: [{ ...model, files: { model: { name: ARCHIVE_FILES.model, bytes: files.model.length }, scaler: { name: ARCHIVE_FILES.scaler, bytes: files.scaler.length }, features: { name: ARCHIVE_FILES.features, bytes: files.features.length } } }],
    ensemble: null,
  };
  const bytes = zipSync({
    [MANIFEST_NAME]: strToU8(JSON.stringify(manifest, null, 2)),
    [ARCHIVE_FILES.model]: files.model,
    [ARCHIVE_FILES.scaler]: files.scaler,
    [ARCHIVE_FILES.features]: files.features,
  });
  return { fileName: `${model.name}-${model.version.run_id}.bundle.zip`, bytes };
}

// ---------------------------------------------------------------- import

const utf8 = new TextDecoder("utf-8", { fatal: true });

function text(bytes: Uint8Array, what: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    refuse(`its ${what} is not UTF-8 text`);
  }
}

/** Whether the bytes start like a zip archive (a local file header, or the end record of an empty one). */
export function looksLikeZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && ((bytes[2] === 3 && bytes[3] === 4) || (bytes[2] === 5 && bytes[3] === 6));
}

/**
 * Reads an archive back into the bundle it encodes, refusing (400) anything
 * that is not exactly a manifest and three artifact files of bounded size.
 * The bundle's own checks (checksums, format version, artifacts, names) are
 * importBundle's.
 */
export function unpackArchive(bytes: Uint8Array, maxInflatedBytes = MAX_INFLATED_BYTES): BundleDocument {
  if (!looksLikeZip(bytes)) refuse("it is not a zip archive");
  const seen = new Set<string>();
  let declared = 0;
  let problem: string | null = null;
  const check = (f: UnzipFileInfo): string | null => {
    // Names are never echoed back when they could hold a path.
    if (/[/\\]|\.\.|^[A-Za-z]:|[\u0000-\u001f]/.test(f.name)) return "an entry has a folder, '..' or a drive in its name; entries must be plain file names";
    if (!EXPECTED.has(f.name)) return `it holds an entry "${f.name.slice(0, 60)}" that is not one of ${[...EXPECTED].join(", ")}`;
    if (seen.has(f.name)) return `it holds ${f.name} twice`;
    seen.add(f.name);
    if (f.compression !== 0 && f.compression !== 8) return `${f.name} is compressed with a method this app does not read (only stored or deflated)`;
    declared += f.originalSize;
    if (f.originalSize > maxInflatedBytes || declared > maxInflatedBytes) return `its files would inflate to more than ${maxInflatedBytes} bytes`;
    if (f.name === MANIFEST_NAME && f.originalSize > MAX_MANIFEST_BYTES) return `its ${MANIFEST_NAME} is larger than ${MAX_MANIFEST_BYTES} bytes`;
    return null;
  };
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, {
      filter: (f) => {
        problem ??= check(f);
        return problem === null;
      },
    });
  } catch {
    refuse(problem ?? "it is not a zip archive this app can read");
  }
  if (problem) refuse(problem);
  const missing = [...EXPECTED].filter((n) => !Object.hasOwn(entries, n));
  if (missing.length) refuse(`it lacks ${missing.join(", ")}`);

  let raw: unknown;
  try {
    raw = JSON.parse(text(entries[MANIFEST_NAME], MANIFEST_NAME));
  } catch (err) {
    if (err instanceof BundleRefusal) throw err;
    refuse(`its ${MANIFEST_NAME} is not JSON`);
  }
  const parsed = ArchiveManifest.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first?.path.length ? `${first.path.join(".")}: ` : "";
    throw new BundleRefusal(`The bundle was refused: its ${MANIFEST_NAME} is not one this app can read (${where}${first?.message ?? "malformed"}).`, fieldErrorsFromZod(parsed.error.issues));
  }
  const { models, ...envelope } = parsed.data;
  const { files, ...model } = models[0];
  const artifacts = {} as Record<ModelArtifactKind, string>;
  for (const kind of MODEL_ARTIFACT_KINDS) {
    const entry = entries[files[kind].name];
    if (entry.length !== files[kind].bytes) refuse(`${files[kind].name} is ${entry.length} bytes but the manifest says ${files[kind].bytes}`);
    artifacts[kind] = text(entry, files[kind].name);
  }
  return { ...envelope, models: [{ ...model, artifacts }], ensemble: null };
}

/**
 * Imports an archive into this deployment, optionally under another model
 * name (when the archive's name is taken here). Nothing is written unless the
 * archive and the bundle it holds pass every check.
 */
export async function importArchive(bytes: Uint8Array, options: { name?: string } = {}, store: ArtifactStore = defaultArtifactStore()): Promise<ImportResult> {
  const bundle = unpackArchive(bytes);
  if (options.name !== undefined && options.name.trim() !== "") bundle.models[0].name = options.name.trim();
  return importBundle(bundle, store);
}
