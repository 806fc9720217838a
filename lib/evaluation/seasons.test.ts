import { describe, expect, it } from "vitest";
import { describeSpan, splitBySeason } from "./seasons";

const rows = [2009, 2010, 2011, 2013, 2014, 2016, 2017].map((season, i) => ({ season, i }));

describe("splitBySeason", () => {
  it("puts each row in its span, in order, and drops rows outside every span", () => {
    const out = splitBySeason(rows, [
      { name: "base", to: 2010 },
      { name: "meta", from: 2011, to: 2013 },
      { name: "test", from: 2014, to: 2016 },
    ]);
    expect(out.base.map((r) => r.season)).toEqual([2009, 2010]);
    expect(out.meta.map((r) => r.season)).toEqual([2011, 2013]);
    expect(out.test.map((r) => r.i)).toEqual([4, 5]);
  });

  it("refuses overlapping or reversed spans", () => {
    expect(() => splitBySeason(rows, [{ name: "a", to: 2011 }, { name: "b", from: 2011 }])).toThrow(/overlap/);
    expect(() => splitBySeason(rows, [{ name: "a", from: 2012, to: 2011 }])).toThrow(/ends before/);
  });
});

describe("describeSpan", () => {
  it("names spans for reports", () => {
    expect(describeSpan({ name: "x", to: 2010 })).toBe("up to 2010");
    expect(describeSpan({ name: "x", from: 2011, to: 2013 })).toBe("2011–2013");
    expect(describeSpan({ name: "x", from: 2014, to: 2014 })).toBe("2014");
  });
});
