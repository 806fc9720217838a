import { beforeAll, describe, expect, it } from "vitest";
import { clearCaches } from "@/lib/cache";
import { buildEnsemble } from "@/lib/ensemble/build";
import { predictWithEnsemble } from "@/lib/ensemble/load";
import { createEnsemble } from "@/lib/ensemble/service";
import { ConflictError, ValidationError } from "@/lib/errors";
import { backToFirstDeployment, deploymentFootprint, useSecondDeployment } from "@/lib/testing/deployments";
import { useTestEnv } from "@/lib/testing/env";
import { SMALL_FOREST, saveSyntheticDataset } from "@/lib/testing/fixtures";
import { createModelConfig, predictWithModel } from "@/lib/training/service";
import { trainModel } from "@/lib/training/train";
import { ModelVersion } from "@/models/ModelVersion";
import { exportEnsembleBundle, exportModelBundle, importBundle, type BundleDocument } from "./index";

const env = useTestEnv();
const rows = [
  { f1: 0.4, f2: -0.1, f3: 3, f4: 0.2 },
  { f1: -0.6, f2: 0.5, f3: 8, f4: 0.9 },
];
let bundle: BundleDocument;
let modelBundle: BundleDocument;
let expected: number[];
let expectedModel: number[];

beforeAll(async () => {
  const data = await saveSyntheticDataset("bundle-base", 300, 13);
  const ids: string[] = [];
  for (const [name, algorithm, features] of [
    ["b-forest", "random_forest", ["f1", "f2", "f3"]],
    ["b-logit", "logistic_regression", ["f2", "f4"]],
  ] as const) {
    const m = await createModelConfig({ name, algorithm, features: [...features], target: "label", training_csv: data.path, hyperparameters: algorithm === "random_forest" ? SMALL_FOREST : {} });
    await trainModel(m.id);
    ids.push(m.id);
  }
  const ens = await createEnsemble({ name: "b-stack", base_model_ids: ids, meta_training_csv: data.path });
  await buildEnsemble(ens.id);
  expected = (await predictWithEnsemble(ens.id, { rows })).probabilities;
  expectedModel = (await predictWithModel(ids[0], { rows: rows.map(({ f1, f2, f3 }) => ({ f1, f2, f3 })) })).probabilities;
  // Through JSON, as a file would carry it.
  bundle = JSON.parse(JSON.stringify(await exportEnsembleBundle(ens.id))) as BundleDocument;
  modelBundle = JSON.parse(JSON.stringify(await exportModelBundle(ids[0]))) as BundleDocument;
});

describe("bundles", () => {
  it("round-trip an ensemble and a model to another database and artifact folder, predicting identically", async () => {
    expect(bundle.models.map((m) => m.name)).toEqual(["b-forest", "b-logit"]);
    await useSecondDeployment("second");
    try {
      expect(env.artifactDir).not.toBe(process.env.ARTIFACT_DIR);
      const imported = await importBundle(bundle);
      expect(imported.models.map((m) => m.name)).toEqual(["b-forest", "b-logit"]);
      clearCaches();
      expect((await predictWithEnsemble(imported.ensemble!.id, { rows })).probabilities).toEqual(expected);
      const forest = imported.models[0].id;
      expect((await predictWithModel(forest, { rows: rows.map(({ f1, f2, f3 }) => ({ f1, f2, f3 })) })).probabilities).toEqual(expectedModel);
      expect(await ModelVersion.findOne({ run_id: imported.models[0].run_id }).lean()).toMatchObject({ trigger: "import", status: "succeeded" });
      // Importing again is refused: its runs are already here.
      await expect(importBundle(bundle)).rejects.toBeInstanceOf(ConflictError);
    } finally {
      await backToFirstDeployment(env);
    }
  });

  it("refuses hostile bundles with a 400 sentence (or 409 for names taken), writing nothing", async () => {
    const clone = () => JSON.parse(JSON.stringify(bundle)) as BundleDocument & Record<string, unknown>;
    const forged = (text: string) => text.replace('"payload":{', '"payload":{"x":1,');
    const cases: Array<[string, unknown, RegExp]> = [
      ["not a bundle at all", "just a string", /not a bundle/],
      ["another format", { ...clone(), format: "zip" }, /not a bundle/],
      ["a future format version", { ...clone(), format_version: 2 }, /not a bundle/],
      ["an extra key", { ...clone(), admin: true }, /not a bundle/],
      ["a prototype key", JSON.parse(JSON.stringify(clone()).replace('"models":', '"__proto__":{"polluted":true},"models":')), /not a bundle/],
      ["a path in a run id", (() => { const b = clone(); b.models[0].version.run_id = "../../etc/passwd"; return b; })(), /not a bundle/],
      ["a changed artifact", (() => { const b = clone(); b.models[0].artifacts.model = forged(b.models[0].artifacts.model); return b; })(), /does not match its checksum/],
      ["an artifact and checksum changed together", (() => {
        const b = clone();
        b.models[1].artifacts.scaler = b.models[1].artifacts.features;
        b.models[1].checksums.scaler = b.models[1].checksums.features;
        return b;
      })(), /scaler artifact of "b-logit" is not usable/],
      ["a training file outside the data folder", (() => { const b = clone(); b.models[0].training_csv = "../../../etc/passwd"; return b; })(), /not a bundle/],
      ["a meta training file in a folder", (() => { const b = clone(); b.ensemble!.meta_training_csv = "/etc/hosts.csv"; return b; })(), /not a bundle/],
      ["an unknown algorithm", (() => { const b = clone(); b.models[0].algorithm = "svm"; return b; })(), /not a bundle/],
      ["features that differ from the artifact's", (() => { const b = clone(); b.models[1].features = ["f4", "f2"]; return b; })(), /does not rebuild/],
      ["two models of one name", (() => { const b = clone(); b.models[1].name = b.models[0].name; b.ensemble!.base_models = [b.models[0].name, b.models[0].name]; return b; })(), /same name/],
      ["an ensemble over other models", (() => { const b = clone(); b.ensemble!.base_models = ["b-logit", "b-forest"]; return b; })(), /not exactly the bundle's models/],
      ["a meta-model for the wrong number of models", (() => { const b = clone(); b.models = [b.models[0], b.models[1], { ...b.models[1], name: "third", version: { ...b.models[1].version, run_id: "third-run" } }]; b.ensemble!.base_models = ["b-forest", "b-logit", "third"]; return b; })(), /./],
    ];
    const before = await deploymentFootprint();
    for (const [what, input, message] of cases) {
      const err = await importBundle(input).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, what).toBeInstanceOf(ValidationError);
      expect(String((err as Error).message), what).toMatch(message);
      expect(await deploymentFootprint(), what).toEqual(before);
    }
    // Names already taken here: 409, nothing written.
    const taken = await importBundle(modelBundle).catch((e: unknown) => e);
    expect(taken).toBeInstanceOf(ConflictError);
    expect(String((taken as Error).message)).toMatch(/"b-forest" already exists/);
    expect(await deploymentFootprint()).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
