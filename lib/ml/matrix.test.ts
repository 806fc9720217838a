import { describe, expect, it } from "vitest";
import { rowsToMatrix } from "./matrix";
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
