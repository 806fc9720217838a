import { describe, expect, it } from "vitest";
import { ValidationError } from "@/lib/errors";
import { ModelPipeline, type PipelineSpec } from "./pipeline";
import { scoreMatrix } from "./scorer";
import { rowsScoredOnThread, scoreInHalves } from "./scoring-thread";
import { StackedEnsemble } from "./stacking";
import { syntheticBinary } from "./synthetic";

const FEATURES = ["f0", "f1", "f2", "f3", "f4"];

function spec(algorithm: string, hyperparameters: object, features: string[], seed: number): PipelineSpec {
  return { algorithm, hyperparameters, features, target: "label", calibration: "none", seed };
}

/** Scores `X` until the scoring thread has taken a half of it (the first calls are scored here and send the scorer). */
async function untilSplit(score: () => Promise<number[]>): Promise<number[]> {
  const before = rowsScoredOnThread();
  for (let attempt = 0; attempt < 100; attempt++) {
    const got = await score();
    if (rowsScoredOnThread() > before) return got;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("the scoring thread never took a half");
}

describe("scoreInHalves", () => {
  it("scores a large batch through an ensemble half here, half on the scoring thread, to the same bits", async () => {
    const train = syntheticBinary(800, 5, 3, 0.2);
    const bases = [
      await ModelPipeline.fit(train.X.map((r) => r.slice(0, 3)), train.y, spec("random_forest", { n_estimators: 60, max_depth: 7 }, FEATURES.slice(0, 3), 1)),
      await ModelPipeline.fit(train.X, train.y, spec("random_forest", { n_estimators: 60, max_depth: 7 }, FEATURES, 2)),
      await ModelPipeline.fit(train.X.map((r) => r.slice(2)), train.y, spec("logistic_regression", {}, FEATURES.slice(2), 3)),
    ];
    const scores = bases.map((b) => b.predictProba(train.X.map((r) => b.features.map((f) => r[FEATURES.indexOf(f)]))));
    const { ensemble } = await StackedEnsemble.fit(bases, scores, train.y, { algorithm: "logistic_regression", seed: 4 });

    // An odd count, so the halves differ by a row.
    const X = syntheticBinary(3001, 5, 9, 0.2).X;
    const here = scoreMatrix(ensemble, X);
    const split = await untilSplit(() => scoreInHalves(ensemble, X));
    expect(split).toHaveLength(X.length);
    expect(split.every((p, i) => Object.is(p, here[i]))).toBe(true);

    // A model alone too.
    const model = bases[1];
    const alone = model.predictProba(X);
    expect((await untilSplit(() => scoreInHalves(model, X))).every((p, i) => Object.is(p, alone[i]))).toBe(true);

    // A row the models cannot score, in the thread's half: refused naming its place in the whole batch.
    const far = X.map((r) => [...r]);
    far[2500][1] = 1.7e308;
    let refused: unknown = null;
    await scoreInHalves(ensemble, far).catch((err: unknown) => (refused = err));
    expect(refused).toBeInstanceOf(ValidationError);
    expect((refused as ValidationError).message).toMatch(/^rows\[2500\]: "f1" is 1\.7e\+308/);
  }, 60_000);

  it("scores a small batch here", async () => {
    const train = syntheticBinary(300, 5, 5, 0.2);
    const model = await ModelPipeline.fit(train.X, train.y, spec("random_forest", { n_estimators: 40, max_depth: 6 }, FEATURES, 1));
    const before = rowsScoredOnThread();
    for (let i = 0; i < 5; i++) await scoreInHalves(model, train.X.slice(0, 20));
    expect(rowsScoredOnThread()).toBe(before);
  });
});
