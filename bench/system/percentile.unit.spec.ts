import { describe, expect, it } from "vitest";
import { percentile, rounded } from "./percentile.ts";

describe("percentile", () => {
  it("takes the nearest rank", () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 95)).toBeUndefined();
  });

  it("counts a value that never came (Infinity) as the slowest, and reports it as null", () => {
    expect(rounded(percentile([1, 2, Number.POSITIVE_INFINITY], 95))).toBeNull();
    expect(rounded(percentile([1.26, 2], 50), 1)).toBe(1.3);
  });
});
