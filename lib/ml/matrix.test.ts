import { describe, expect, it } from "vitest";
import { parseInput } from "@/lib/errors";
import { PredictInput, parsePredictRows, rowsToMatrix } from "./matrix";
import { refusal } from "./test-helpers";

describe("rowsToMatrix", () => {
  it("orders each row's values by the feature list", () => {
    expect(rowsToMatrix([{ b: 2, a: 1 }], ["a", "b"])).toEqual([[1, 2]]);
  });

  it("reports the first five offending rows and how many there are, however many rows are wrong", () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => ({ a: i, stray: 1 }));
    const err = refusal(() => rowsToMatrix(rows, ["a", "b", "c"]));
    expect(Object.keys(err.fields)).toEqual(["rows.0", "rows.1", "rows.2", "rows.3", "rows.4"]);
    expect(err.fields["rows.0"]).toEqual(["missing: b, c", "unknown columns: stray"]);
    expect(err.message).toBe("10,000 of 10,000 rows do not have exactly these features: a, b, c. The first 5 are listed.");
    expect(JSON.stringify({ error: err.message, fields: err.fields }).length).toBeLessThan(2000);
  });

  it("lists a row's unknown columns up to a point", () => {
    const row: Record<string, number> = { a: 1 };
    for (let i = 0; i < 5000; i++) row[`x${i}`] = i;
    const err = refusal(() => rowsToMatrix([row], ["a"]));
    expect(err.fields["rows.0"][0]).toMatch(/^unknown columns: x0, x1, .*x9 and 4990 more$/);
    expect(err.message).toBe("1 of 1 rows does not have exactly these features: a.");
  });

  it("looks features up as the row's own properties, never through its prototype", () => {
    for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty", "prototype"]) {
      const err = refusal(() => rowsToMatrix([{ a: 1 }], ["a", name]));
      expect(err.fields["rows.0"], name).toEqual([`missing: ${name}`]);
    }
    const own = JSON.parse('{"a": 1, "constructor": 2}') as Record<string, number>;
    expect(rowsToMatrix([own], ["a", "constructor"])).toEqual([[1, 2]]);
    expect(refusal(() => rowsToMatrix([own], ["a"])).fields["rows.0"]).toEqual(["unknown columns: constructor"]);
  });
});

describe("parsePredictRows", () => {
  it("accepts and refuses exactly what PredictInput does, with the same words", () => {
    const inputs: unknown[] = [
      { rows: [{ a: 1, b: -2.5 }] },
      { rows: [{}] },
      { rows: [] },
      { rows: Array.from({ length: 10_001 }, () => ({ a: 1 })) },
      { rows: Array.from({ length: 10_000 }, () => ({ a: 1 })) },
      { rows: [{ a: 1 }], extra: true },
      { rows: [{ a: "1" }] },
      { rows: [{ a: Number.NaN }] },
      { rows: [{ a: Infinity }] },
      { rows: [{ a: null }] },
      { rows: [[1, 2]] },
      { rows: [null] },
      { rows: "a" },
      { rows: [Object.assign(Object.create(null), { a: 1 })] },
      JSON.parse('{"rows": [{"__proto__": 1, "a": 2}]}'),
      [],
      null,
      "rows",
      {},
    ];
    for (const input of inputs) {
      let expected: unknown;
      try {
        expected = { rows: parseInput(PredictInput, input, "bad").rows };
      } catch (err) {
        expected = { error: (err as Error).message, fields: (err as { fields?: unknown }).fields };
      }
      let got: unknown;
      try {
        got = { rows: parsePredictRows(input, "bad") };
      } catch (err) {
        got = { error: (err as Error).message, fields: (err as { fields?: unknown }).fields };
      }
      expect(got, JSON.stringify(input)?.slice(0, 80)).toEqual(expected);
    }
  });
});

describe("rowsToMatrix's one-pass path", () => {
  it("gives what the explaining path gives, and falls back to it for any row that differs", () => {
    const features = ["a", "b", "c"];
    const rows = Array.from({ length: 50 }, (_, i) => ({ c: i * 3, a: i, b: -i }));
    expect(rowsToMatrix(rows, features)).toEqual(rows.map((r) => [r.a, r.b, r.c]));
    const oneOff = rows.map((r, i) => (i === 40 ? { a: 1, b: 2, d: 3 } : r));
    expect(refusal(() => rowsToMatrix(oneOff, features)).fields).toEqual({ "rows.40": ["missing: c", "unknown columns: d"] });
    const inherited = Object.assign(Object.create({ c: 1 }) as Record<string, number>, { a: 1, b: 2 });
    expect(refusal(() => rowsToMatrix([inherited], features)).fields).toEqual({ "rows.0": ["missing: c"] });
    // Key order may change from row to row, and back.
    const mixed = rows.map((r, i) => (i % 3 === 0 ? { b: r.b, c: r.c, a: r.a } : i % 3 === 1 ? { a: r.a, b: r.b, c: r.c } : r));
    expect(rowsToMatrix(mixed, features)).toEqual(rows.map((r) => [r.a, r.b, r.c]));
    const renamed = rows.map((r, i) => (i === 25 ? { c: r.c, a: r.a, d: r.b } : r));
    expect(refusal(() => rowsToMatrix(renamed, features)).fields).toEqual({ "rows.25": ["missing: b", "unknown columns: d"] });
    const hidden = Object.defineProperty({ a: 1, b: 2 } as Record<string, number>, "c", { value: 3, enumerable: false });
    expect(rowsToMatrix([hidden], features)).toEqual([[1, 2, 3]]);
  });
});
