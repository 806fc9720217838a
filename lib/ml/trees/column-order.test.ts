import { describe, expect, it } from "vitest";
import { libraryColumnOrder } from "./column-order";
import { libraryTreeColumns } from "./library-tree";

describe("libraryColumnOrder", () => {
  // Powers of two take random-js's mask path, other counts its rejection path.
  const counts = [1, 2, 3, 4, 5, 7, 8, 9, 12, 16, 17, 20];
  const seeds = [0, 1, 42, 123_456_789, 2 ** 31 - 1];

  it.each(counts)("matches ml-random-forest's own column shuffle for %i columns", (count) => {
    for (const seed of seeds) {
      expect(libraryColumnOrder(count, seed), `seed ${seed}`).toEqual(libraryTreeColumns(count, seed));
    }
  });

  it("is a permutation that changes with the seed", () => {
    const a = libraryColumnOrder(12, 5);
    expect([...a].sort((p, q) => p - q)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(libraryColumnOrder(12, 6)).not.toEqual(a);
  });

  it("refuses a count below 1 and a fractional seed", () => {
    expect(() => libraryColumnOrder(0, 1)).toThrow(RangeError);
    expect(() => libraryColumnOrder(3, 1.5)).toThrow(RangeError);
  });
});
