import { describe, expect, it } from "vitest";
import { cmlSpreadSeconds } from "./cml-spread.ts";

describe("cmlSpreadSeconds", () => {
  it("spreads a slot's commands over all of it but the call deadline and a margin", () => {
    expect(cmlSpreadSeconds(60, 10)).toBe(45);
    expect(cmlSpreadSeconds(300, 30)).toBe(265);
  });

  it("does not spread when the interval leaves no room", () => {
    expect(cmlSpreadSeconds(15, 10)).toBe(0);
    expect(cmlSpreadSeconds(5, 10)).toBe(0);
  });
});
