import { describe, expect, it } from "vitest";
import { readOnDemandHourlyPrice } from "./parse-price-list.ts";

function product(onDemandUsd: string, reservedUsd = "0.1000000000", unit = "Hrs"): string {
  return JSON.stringify({
    product: { attributes: { instanceType: "m5zn.metal" }, sku: "ABC" },
    terms: {
      OnDemand: {
        "ABC.JRTCKXETXF": {
          priceDimensions: { "ABC.JRTCKXETXF.6YS6EN2CT7": { unit, pricePerUnit: { USD: onDemandUsd } } },
        },
      },
      Reserved: {
        "ABC.4NA7Y494T4": {
          priceDimensions: {
            "ABC.4NA7Y494T4.6YS6EN2CT7": { unit: "Hrs", pricePerUnit: { USD: reservedUsd } },
          },
        },
      },
    },
  });
}

describe("the on-demand hourly price of a Price List answer", () => {
  it("reads the OnDemand term, never a Reserved one", () => {
    expect(readOnDemandHourlyPrice([product("3.9641000000")])).toEqual({ kind: "price", hourlyUsd: 3.9641 });
  });
  it("accepts the SDK's string wrappers of the documents", () => {
    expect(readOnDemandHourlyPrice([new String(product("0.3400000000"))])).toEqual({
      kind: "price",
      hourlyUsd: 0.34,
    });
  });
  it("is unknown without a product, or with only other units or documents that are not products", () => {
    expect(readOnDemandHourlyPrice([])).toEqual({ kind: "none" });
    expect(readOnDemandHourlyPrice([product("1.0", "0.1", "Quantity"), "not json", "{}"])).toEqual({
      kind: "none",
    });
  });
  it("is ambiguous, not a guess, when products disagree", () => {
    expect(readOnDemandHourlyPrice([product("3.96"), product("0.00")])).toEqual({
      kind: "ambiguous",
      prices: [0, 3.96],
    });
    expect(readOnDemandHourlyPrice([product("3.96"), product("3.9600000000")])).toEqual({
      kind: "price",
      hourlyUsd: 3.96,
    });
  });
});
