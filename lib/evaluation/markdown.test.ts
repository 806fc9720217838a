import { describe, expect, it } from "vitest";
import { bytes, fixed, markdownTable, ms, withRange } from "./markdown";

describe("markdownTable", () => {
  it("renders a header, an aligned rule and rows", () => {
    expect(markdownTable(["model", "ms"], [["a", "1"], ["b", "22"]], ["left", "right"])).toBe(
      ["| model | ms |", "| --- | ---: |", "| a | 1 |", "| b | 22 |"].join("\n"),
    );
  });

  it("escapes pipes and flattens line breaks so a cell cannot break the table", () => {
    expect(markdownTable(["x"], [["a|b\nc"]])).toBe(["| x |", "| --- |", "| a\\|b c |"].join("\n"));
  });

  it("refuses rows with the wrong number of cells", () => {
    expect(() => markdownTable(["a", "b"], [["1"]])).toThrow(/Row 1 has 1 cells/);
  });
});

describe("number formats", () => {
  it("formats milliseconds by size", () => {
    expect(ms(0.423)).toBe("0.42 ms");
    expect(ms(12.34)).toBe("12.3 ms");
    expect(ms(43210.4)).toBe("43,210 ms");
  });

  it("formats bytes, fixed decimals and ranges", () => {
    expect(bytes(512)).toBe("512 B");
    expect(bytes(2048)).toBe("2.0 KB");
    expect(bytes(3 * 1024 * 1024)).toBe("3.00 MB");
    expect(fixed(0.123456, 4)).toBe("0.1235");
    expect(fixed(Number.NaN, 2)).toBe("n/a");
    expect(withRange({ median: 2, min: 1, max: 3 }, (v) => v.toFixed(1))).toBe("2.0 (1.0–3.0)");
  });
});
