import { describe, expect, it } from "vitest";
import { MIN_TRAINING_ROWS, describeCsv, parseCsv, parseCsvWithScanner, parsePlainCsv, toNumericMatrix } from "./csv";
import { checkFactsFit } from "./csv-facts";
import { refusal } from "./test-helpers";

/** A valid CSV with columns a, b, c, win and `rows` data rows; `edit` may change cells. */
function csv(rows = 30, edit: (row: string[], i: number) => void = () => {}): string {
  const lines = ["a,b,c,win"];
  for (let i = 0; i < rows; i++) {
    const row = [String(i), String(i * 0.5), String(-i), String(i % 2)];
    edit(row, i);
    lines.push(row.join(","));
  }
  return lines.join("\n") + "\n";
}

describe("parseCsv", () => {
  it("trims header names, skips blank lines and records each row's file line", () => {
    const parsed = parseCsv("\uFEFF a , b \n1,2\n\n  \n3,4\n,\n5,6");
    expect(parsed.columns).toEqual(["a", "b"]);
    expect(parsed.rows).toEqual([["1", "2"], ["3", "4"], ["5", "6"]]);
    expect(parsed.lines).toEqual([2, 5, 7]);
  });

  it("counts lines inside quoted multi-line cells", () => {
    const parsed = parseCsv('a,b\n1,"x\ny"\n2,3');
    expect(parsed.rows[1]).toEqual(["2", "3"]);
    expect(parsed.lines).toEqual([2, 4]);
  });

  it("refuses an empty file", () => {
    for (const text of ["", "\n\n  \n"]) {
      const err = refusal(() => parseCsv(text));
      expect(err.fields.file?.[0]).toMatch(/empty/);
    }
  });

  it("refuses a header with no data rows", () => {
    expect(refusal(() => parseCsv("a,b,c\n\n")).fields.file?.[0]).toMatch(/no data rows/);
  });

  it("refuses duplicate and empty column names", () => {
    expect(refusal(() => parseCsv("a,b,a\n1,2,3")).fields.file).toEqual(['Column "a" appears more than once in the header.']);
    expect(refusal(() => parseCsv("a,,c\n1,2,3")).fields.file).toEqual(["Column 2 of the header has no name."]);
  });

  it("names the 1-based line of a row with the wrong number of cells", () => {
    const err = refusal(() => parseCsv("a,b,c\n1,2,3\n\n4,5\n6,7,8,9"));
    expect(err.message).toBe("Line 4 has 2 values but the header has 3 columns.");
    expect(err.fields.file).toEqual([
      "Line 4 has 2 values but the header has 3 columns.",
      "Line 5 has 4 values but the header has 3 columns.",
    ]);
  });

  it("refuses unbalanced quotes with the line", () => {
    expect(refusal(() => parseCsv('a,b\n1,2\n3,"4\n')).fields.file?.[0]).toMatch(/^Line 3:/);
  });
});

describe("toNumericMatrix", () => {
  const spec = { features: ["a", "c"], target: "win" };

  it("converts the chosen columns to numbers in feature order", () => {
    const { X, y } = toNumericMatrix(parseCsv(csv(25, (row, i) => (row[0] = i === 0 ? " 1e-3 " : row[0]))), spec);
    expect(X).toHaveLength(25);
    expect(X[0]).toEqual([0.001, 0]);
    expect(X[3]).toEqual([3, -3]);
    expect(y.slice(0, 4)).toEqual([0, 1, 0, 1]);
  });

  it("lists unknown feature columns together with the available ones", () => {
    const err = refusal(() => toNumericMatrix(parseCsv(csv()), { features: ["a", "pts", "reb"], target: "win" }));
    expect(err.fields.features?.[0]).toBe('Unknown feature columns: "pts", "reb". Available columns: "a", "b", "c", "win".');
  });

  it("refuses an unknown target, or a target that is also a feature", () => {
    expect(refusal(() => toNumericMatrix(parseCsv(csv()), { features: ["a"], target: "home_win" })).fields.target?.[0]).toMatch(
      /^Unknown target column "home_win"\. Available columns: "a"/,
    );
    expect(Object.keys(refusal(() => toNumericMatrix(parseCsv(csv()), { features: ["a", "win"], target: "win" })).fields)).toEqual(["target"]);
  });

  it("names the column and line of non-numeric and empty values, under the column's key", () => {
    const text = csv(30, (row, i) => {
      if (i === 2) row[0] = "abc";
      if (i === 4) row[2] = "";
      if (i === 5) row[0] = "true";
      if (i === 6) row[1] = "not used"; // column b is not chosen, so it does not matter
    });
    const err = refusal(() => toNumericMatrix(parseCsv(text), spec));
    expect(err.fields).toEqual({
      a: ['Line 4: "abc" in column "a" is not a number.', 'Line 7: "true" in column "a" is not a number.'],
      c: ['Line 6: column "c" is empty.'],
    });
  });

  it("keeps at most five examples per column and counts the rest", () => {
    const err = refusal(() => toNumericMatrix(parseCsv(csv(30, (row) => (row[0] = "NaN"))), spec));
    expect(err.fields.a).toHaveLength(6);
    expect(err.fields.a[5]).toBe("…and 25 more in this column.");
    expect(err.message).toMatch(/^The CSV has 30 empty or non-numeric values/);
  });

  it("refuses a target with values other than 0 and 1", () => {
    const err = refusal(() => toNumericMatrix(parseCsv(csv(30, (row, i) => i === 3 && (row[3] = "2"))), spec));
    expect(err.fields.target).toEqual(['Line 5: the target "win" is 2; it must be 0 or 1.']);
  });

  it("refuses a target with a single class", () => {
    const err = refusal(() => toNumericMatrix(parseCsv(csv(30, (row) => (row[3] = "1"))), spec));
    expect(err.fields.target?.[0]).toMatch(/needs both 0 and 1/);
  });

  it(`refuses fewer than ${MIN_TRAINING_ROWS} rows`, () => {
    const err = refusal(() => toNumericMatrix(parseCsv(csv(MIN_TRAINING_ROWS - 1)), spec));
    expect(err.fields.file?.[0]).toMatch(/has 19 data rows; at least 20/);
    expect(() => toNumericMatrix(parseCsv(csv(MIN_TRAINING_ROWS)), spec)).not.toThrow();
  });
});

describe("parseCsv on hostile headers", () => {
  it("refuses a header of more than 1,000 columns with one sentence, without stalling", () => {
    // About 590 KB of header: the size that used to block the process for seconds.
    const names = Array.from({ length: 60_000 }, (_, i) => `column_${i}`);
    const text = `${names.join(",")}\n${names.map(() => "1").join(",")}\n`;
    const t0 = performance.now();
    const err = refusal(() => parseCsv(text));
    const refusalMs = performance.now() - t0;
    // Linear work: within a small multiple of merely splitting the header (the quadratic check took about 10 s, thousands of times longer).
    const t1 = performance.now();
    for (let i = 0; i < 10; i++) text.slice(0, text.indexOf("\n")).split(",");
    const splitMs = (performance.now() - t1) / 10;
    expect(refusalMs).toBeLessThan(Math.max(splitMs, 1) * 200);
    expect(err.message).toBe("The CSV has 60,000 columns; at most 1,000 are allowed.");
    expect(err.fields.file).toEqual(["The header has 60,000 columns; keep at most 1,000 (the ones models use) and upload it again."]);
  });

  it("takes 1,000 columns and finds repeated names among them quickly", () => {
    const names = Array.from({ length: 1000 }, (_, i) => `c${i}`);
    expect(parseCsv(`${names.join(",")}\n${names.map(() => "0").join(",")}`).columns).toHaveLength(1000);
    names[999] = "c0";
    expect(refusal(() => parseCsv(`${names.join(",")}\n${names.map(() => "0").join(",")}`)).fields.file).toEqual([
      'Column "c0" appears more than once in the header.',
    ]);
  });
});

describe("reserved column names", () => {
  it("refuses __proto__, constructor and prototype as column names, naming each", () => {
    const err = refusal(() => parseCsv("a,__proto__,constructor,prototype\n1,2,3,4\n"));
    expect(err.message).toBe("The CSV header uses reserved column names.");
    expect(err.fields.file).toEqual([
      'Column "__proto__" has a reserved name; rename it.',
      'Column "constructor" has a reserved name; rename it.',
      'Column "prototype" has a reserved name; rename it.',
    ]);
  });
});

describe("describeCsv and checkFactsFit", () => {
  const spec = { features: ["a", "c"], target: "win" };

  it("records per column whether it is numeric, 0/1, and has both classes", () => {
    const { columns, rows, facts } = describeCsv(csv(25, (row, i) => i === 3 && (row[1] = "x")));
    expect(columns).toEqual(["a", "b", "c", "win"]);
    expect(rows).toBe(25);
    expect(facts.rows).toBe(25);
    expect(facts.columns.map((c) => [c.name, c.numeric, c.binary, c.both_classes])).toEqual([
      ["a", true, false, true],
      ["b", false, false, true],
      ["c", true, false, false],
      ["win", true, true, true],
    ]);
    expect(facts.columns[1].invalid_examples).toEqual([{ line: 5, text: "x" }]);
  });

  it("refuses a config with exactly the error toNumericMatrix gives, for every kind of misfit", () => {
    const long = "9".repeat(40);
    const tables: Array<[string, string, { features: string[]; target: string }]> = [
      ["unknown columns", csv(), { features: ["a", "pts"], target: "home" }],
      ["repeated feature", csv(), { features: ["a", "a"], target: "win" }],
      ["target as feature", csv(), { features: ["a", "win"], target: "win" }],
      ["too few rows", csv(MIN_TRAINING_ROWS - 1), spec],
      [
        "non-numeric cells",
        csv(40, (row, i) => {
          if (i % 3 === 0) row[2] = "n/a";
          if (i === 7) row[0] = "";
          if (i === 9) row[3] = "yes";
          if (i === 11) row[0] = "x".repeat(50);
        }),
        spec,
      ],
      ["same line, two columns", csv(30, (row, i) => i === 4 && ((row[2] = "p"), (row[0] = "q"))), spec],
      ["target not 0/1", csv(30, (row, i) => i % 4 === 1 && (row[3] = i === 5 ? long : "2")), spec],
      ["one class", csv(30, (row) => (row[3] = "0")), spec],
    ];
    for (const [label, text, chosen] of tables) {
      const expected = refusal(() => toNumericMatrix(parseCsv(text), chosen));
      const actual = refusal(() => checkFactsFit(describeCsv(text).facts, chosen));
      expect({ message: actual.message, fields: actual.fields }, label).toEqual({ message: expected.message, fields: expected.fields });
    }
    expect(() => checkFactsFit(describeCsv(csv()).facts, spec)).not.toThrow();
  });
});

describe("parseCsv's plain path", () => {
  it("gives exactly what the scanner gives, and leaves anything unusual or wrong to it", () => {
    const texts = [
      "\uFEFF a , b \n1,2\n\n  \n3,4\n,\n5,6",
      "a,b\n1,2\n3,4\n",
      "a,b\n 1 , 2 \n\n\n3,4",
      "single\n1\n2\n",
      "a,b,c\n1,,3\n",
      csv(200),
    ];
    for (const text of texts) {
      expect(parsePlainCsv(text), JSON.stringify(text.slice(0, 40))).not.toBeNull();
      expect(parsePlainCsv(text), JSON.stringify(text.slice(0, 40))).toEqual(parseCsvWithScanner(text));
    }
    const unusual = ['a,b\n1,"2"', "a;b\n1;2", "a\tb\n1\t2", "a,b\r\n1,2\r\n", "a,b,a\n1,2,3", "a,b\n1,2,3", "a,b\n", "", "__proto__,b\n1,2", `${"c,".repeat(1000)}c\n${"1,".repeat(1000)}1`];
    for (const text of unusual) expect(parsePlainCsv(text), JSON.stringify(text.slice(0, 40))).toBeNull();
    expect(parseCsv("a,b\r\n1,2\r\n")).toEqual(parseCsvWithScanner("a,b\r\n1,2\r\n"));
  });
});
