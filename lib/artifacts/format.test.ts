import { describe, expect, it } from "vitest";
import { APP_NAME, APP_VERSION } from "@/lib/version";
import { ArtifactCorruptError, ArtifactIncompatibleError, UnsafeArtifactPathError, UnserializableArtifactError } from "./errors";
import {
  ARTIFACT_FORMAT_VERSION,
  RUN_ID_PATTERN,
  artifactFileName,
  assertRunId,
  buildEnvelope,
  newRunId,
  parseEnvelope,
  serializeEnvelope,
} from "./format";

describe("run ids", () => {
  it("are made of [a-z0-9-], match the pattern and sort by creation time", () => {
    const earlier = newRunId(new Date("2025-01-02T03:04:05.006Z"));
    const later = newRunId(new Date("2025-01-02T03:04:05.007Z"));
    expect(earlier).toMatch(/^20250102-030405-006-[0-9a-f]{12}$/);
    expect(RUN_ID_PATTERN.test(later)).toBe(true);
    expect([later, earlier].sort()).toEqual([earlier, later]);
    expect(newRunId()).not.toBe(newRunId());
  });

  it.each(["", "../x", "a/b", "UPPER", "-leading", "a_b", "a\0b", "x".repeat(65)])("rejects %j", (bad) => {
    expect(() => assertRunId(bad)).toThrow(UnsafeArtifactPathError);
  });

  it("names files run_kind.json and refuses unknown kinds", () => {
    expect(artifactFileName("abc-1", "meta_model")).toBe("abc-1_meta_model.json");
    expect(() => artifactFileName("abc-1", "../../x" as "model")).toThrow(UnsafeArtifactPathError);
  });
});

describe("envelopes", () => {
  const path = "r1_model.json";

  it("carry the format version, kind, run id and producer", () => {
    const env = buildEnvelope("model", "r1", { w: [1, 2] }, { algorithm: "logistic_regression" }, new Date(0));
    expect(env).toEqual({
      format_version: ARTIFACT_FORMAT_VERSION,
      kind: "model",
      run_id: "r1",
      produced_by: {
        app: APP_NAME,
        version: APP_VERSION,
        created_at: "1970-01-01T00:00:00.000Z",
        node: process.version,
        algorithm: "logistic_regression",
      },
      payload: { w: [1, 2] },
    });
    const back = parseEnvelope(Buffer.from(serializeEnvelope(env, path)), { path, kind: "model", run_id: "r1" });
    expect(back).toEqual(env);
  });

  it("refuse payloads JSON would silently change", () => {
    const nan = buildEnvelope("model", "r1", { w: [1, Number.NaN] }, {});
    expect(() => serializeEnvelope(nan, path)).toThrow(UnserializableArtifactError);
    expect(() => serializeEnvelope(buildEnvelope("model", "r1", { b: 1n }, {}), path)).toThrow(UnserializableArtifactError);
    expect(() => serializeEnvelope(buildEnvelope("model", "r1", undefined, {}), path)).toThrow(UnserializableArtifactError);
  });

  const good = () => JSON.parse(serializeEnvelope(buildEnvelope("model", "r1", { w: 1 }, {}), path)) as Record<string, unknown>;
  const parse = (value: unknown, expected: { kind?: "model" | "scaler"; run_id?: string } = {}) =>
    parseEnvelope(Buffer.from(typeof value === "string" ? value : JSON.stringify(value)), {
      path,
      kind: expected.kind ?? "model",
      run_id: expected.run_id,
    });

  it.each<[string, unknown]>([
    ["invalid JSON", "{not json"],
    ["an array", [1, 2]],
    ["no format_version", { ...good(), format_version: undefined }],
    ["no payload", { ...good(), payload: undefined }],
    ["a bad kind", { ...good(), kind: "weights" }],
  ])("are corrupt with %s", (_, value) => {
    expect(() => parse(value)).toThrow(ArtifactCorruptError);
  });

  it("are corrupt when the kind or run differs from the one expected", () => {
    expect(() => parse(good(), { kind: "scaler" })).toThrow(/holds a model artifact where a scaler artifact was expected/);
    expect(() => parse(good(), { run_id: "r2" })).toThrow(/belongs to run r1, not to run r2/);
  });

  it("are incompatible with an unknown format version, even when the rest is unreadable", () => {
    expect(() => parse({ ...good(), format_version: 99 })).toThrow(ArtifactIncompatibleError);
    expect(() => parse({ format_version: 2, something: "else" })).toThrow(ArtifactIncompatibleError);
  });
});
