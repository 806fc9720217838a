import { describe, expect, it } from "vitest";
import { compareLatestBuild } from "./speedup";
import type { EnsembleRunView } from "./service";

function run(started: string, total: number, sources: Array<"artifact" | "retrained">, status: "succeeded" | "failed" = "succeeded"): EnsembleRunView {
  return {
    run_id: started,
    started_at: started,
    total_ms: total,
    meta_ms: 1,
    status,
    error: null,
    metrics: null,
    holdout: null,
    base: sources.map((source, i) => ({ model_id: String(i), model_name: `m${i}`, run_id: null, source, ms: total / sources.length, note: null, metrics: null })),
  };
}

describe("compareLatestBuild", () => {
  it("says there is nothing to compare without a succeeded run", () => {
    expect(compareLatestBuild([]).kind).toBe("no_runs");
    expect(compareLatestBuild([run("2024-01-01T00:00:00Z", 10, ["artifact"], "failed")]).kind).toBe("no_runs");
  });

  it("reports a latest build that retrained instead of a ratio", () => {
    const c = compareLatestBuild([run("2024-01-01T00:00:00Z", 1000, ["retrained", "artifact"])]);
    expect(c).toMatchObject({ kind: "latest_retrained", retrained: 1 });
  });

  it("sets loading against the base models' training times when no build retrained", () => {
    const c = compareLatestBuild([run("2024-01-01T00:00:00Z", 60, ["artifact", "artifact"])], [4000, 8000]);
    expect(c).toMatchObject({ kind: "no_reference", training: { trainingMs: 12000, loadMs: 60, ratio: 200 } });
    expect(compareLatestBuild([run("2024-01-01T00:00:00Z", 60, ["artifact", "artifact"])], [4000, null])).not.toHaveProperty("training");
  });

  it("needs an earlier build that retrained", () => {
    expect(compareLatestBuild([run("2024-01-01T00:00:00Z", 12, ["artifact", "artifact"])]).kind).toBe("no_reference");
  });

  it("compares the latest build with the latest earlier build that retrained, in time order", () => {
    const runs = [
      run("2024-01-03T00:00:00Z", 12, ["artifact", "artifact"]),
      run("2024-01-01T00:00:00Z", 5000, ["retrained", "retrained"]),
      run("2024-01-02T00:00:00Z", 1020, ["retrained", "artifact"]),
    ];
    const c = compareLatestBuild(runs);
    expect(c.kind).toBe("compared");
    if (c.kind !== "compared") return;
    expect(c.reference.started_at).toBe("2024-01-02T00:00:00Z");
    expect(c.ratio).toBeCloseTo(85, 5);
  });
});
