import { beforeAll, describe, expect, it } from "vitest";
import { NotFoundError, ValidationError } from "@/lib/errors";
import { JsonBytes } from "@/lib/json-body";
import { parsePredictRows, rowsToMatrix } from "./matrix";
import { ModelPipeline, type PipelineSpec } from "./pipeline";
import { scoreMatrix, type Scorer } from "./scorer";
import { bodiesReadInHalves, predictBody, rowsScoredOnThread, scoreInHalves } from "./scoring-thread";
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

describe("predictBody", () => {
  let stack: StackedEnsemble<ModelPipeline>;
  let other: StackedEnsemble<ModelPipeline>;
  const rows = syntheticBinary(3001, 5, 11, 0.2).X.map((r) => Object.fromEntries(FEATURES.map((f, j) => [f, r[j]])));
  const bytes = (value: unknown) => new JsonBytes(Buffer.from(typeof value === "string" ? value : JSON.stringify(value)));
  const place = "ensemble:test";

  beforeAll(async () => {
    const make = async (seed: number) => {
      const train = syntheticBinary(600, 5, seed, 0.2);
      const bases = [
        await ModelPipeline.fit(train.X, train.y, spec("random_forest", { n_estimators: 60, max_depth: 7 }, FEATURES, seed)),
        await ModelPipeline.fit(train.X.map((r) => r.slice(1)), train.y, spec("logistic_regression", {}, FEATURES.slice(1), seed)),
      ];
      const scores = bases.map((b) => b.predictProba(train.X.map((r) => b.features.map((f) => r[FEATURES.indexOf(f)]))));
      return (await StackedEnsemble.fit(bases, scores, train.y, { algorithm: "logistic_regression", seed })).ensemble;
    };
    stack = await make(21);
    other = await make(22);
  }, 60_000);

  /** What reading the body whole gives: the same checks in the same order, then the scorer's answer. */
  async function whole(text: string, scorer: Scorer, resolveError?: Error): Promise<number[] | Error> {
    try {
      const parsed = parsePredictRows(bytes(text).parse(), "bad");
      if (resolveError) throw resolveError;
      return scoreMatrix(scorer, rowsToMatrix(parsed, scorer.features));
    } catch (err) {
      return err as Error;
    }
  }

  async function viaBody(text: string, scorer: Scorer, resolveError?: Error): Promise<number[] | Error> {
    try {
      const resolve = async () => {
        if (resolveError) throw resolveError;
        return scorer;
      };
      return (await predictBody(bytes(text), place, resolve, (s) => s, "bad")).probabilities;
    } catch (err) {
      return err as Error;
    }
  }

  /** Until a body has been read in halves: the thread then holds `stack`, and it is the place's last scorer. */
  async function ready(): Promise<void> {
    const before = bodiesReadInHalves();
    const text = JSON.stringify({ rows });
    for (let attempt = 0; attempt < 100 && bodiesReadInHalves() === before; attempt++) {
      await viaBody(text, stack);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(bodiesReadInHalves()).toBeGreaterThan(before);
  }

  function same(got: number[] | Error, want: number[] | Error): void {
    if (want instanceof Error) {
      expect(got).toBeInstanceOf(want.constructor);
      expect((got as Error).message).toBe(want.message);
      if (want instanceof ValidationError) expect((got as ValidationError).fields).toEqual(want.fields);
      return;
    }
    expect(got).toBeInstanceOf(Array);
    expect((got as number[]).length).toBe(want.length);
    expect((got as number[]).every((p, i) => Object.is(p, want[i]))).toBe(true);
  }

  it("reads a large body in two halves at once to the same bits as reading it whole", async () => {
    const text = JSON.stringify({ rows });
    await ready();
    const before = bodiesReadInHalves();
    same(await viaBody(text, stack), await whole(text, stack));
    expect(bodiesReadInHalves()).toBe(before + 1);
    // White space around the array, and a parsed body (a form, a script) read as before.
    await ready();
    const spaced = ` \n{ "rows" :\t[${JSON.stringify(rows).slice(1, -1)}] }\n`;
    same(await viaBody(spaced, stack), await whole(spaced, stack));
    same((await predictBody({ rows: rows.slice(0, 5) }, place, async () => stack, (s) => s)).probabilities, scoreMatrix(stack, rowsToMatrix(rows.slice(0, 5), stack.features)));
  }, 60_000);

  it("answers every body the halves do not settle as reading it whole does", async () => {
    const cases: Array<[string, string, Scorer?, Error?]> = [];
    const half = rows.slice(0, 1500);
    // A second "rows" key: the last one counts, so a cut between the two must not be trusted.
    cases.push(["two rows keys", `{"rows":${JSON.stringify(half)},"rows":${JSON.stringify(rows.slice(1500))}}`]);
    const texts = (change: (copy: Array<Record<string, unknown>>) => void) => {
      const copy: Array<Record<string, unknown>> = rows.map((r) => ({ ...r }));
      change(copy);
      return JSON.stringify({ rows: copy });
    };
    cases.push(["a string in the second half", texts((c) => (c[2500].f2 = "7"))]);
    cases.push(["a row without a column in the second half", texts((c) => delete c[2600].f3)]);
    cases.push(["an extra column in the first half", texts((c) => (c[10].extra = 1))]);
    cases.push(["a value too far to score in the second half", texts((c) => (c[2500].f1 = 1.7e308))]);
    cases.push(["a value too far to score in the first half", texts((c) => (c[100].f4 = -1.7e308))]);
    cases.push(["more rows than a request may send", JSON.stringify({ rows: [...rows, ...rows, ...rows, ...rows].slice(0, 10_001) })]);
    cases.push(["a byte-order mark", `\ufeff${JSON.stringify({ rows })}`]);
    cases.push(["another scorer than the last request's", JSON.stringify({ rows }), other]);
    cases.push(["a missing ensemble and a bad body", texts((c) => (c[2500].f2 = "7")), stack, new NotFoundError("ensemble", "x")]);
    cases.push(["a missing ensemble and a good body", JSON.stringify({ rows }), stack, new NotFoundError("ensemble", "x")]);
    for (const [name, text, scorer = stack, resolveError] of cases) {
      await ready();
      const want = await whole(text, scorer, resolveError);
      const got = await viaBody(text, scorer, resolveError);
      expect.soft(got instanceof Error ? got.message : "scored", name).toBe(want instanceof Error ? want.message : "scored");
      same(got, want);
    }
  }, 120_000);
});
