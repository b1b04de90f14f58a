import { z } from "zod";

/** What a `GetProducts` answer says about one on-demand hourly price. */
export type PriceListReading =
  | { readonly kind: "price"; readonly hourlyUsd: number }
  | { readonly kind: "none" }
  | { readonly kind: "ambiguous"; readonly prices: readonly number[] };

const dimensionSchema = z.object({
  unit: z.string(),
  pricePerUnit: z.object({ USD: z.string().regex(/^\d+(\.\d+)?$/) }),
});
const productSchema = z.object({
  terms: z.object({
    OnDemand: z.record(z.string(), z.object({ priceDimensions: z.record(z.string(), dimensionSchema) })),
  }),
});

/**
 * The hourly on-demand price in a Price List answer: each entry is a product's JSON document (a string); its
 * `terms.OnDemand` dimensions priced per `Hrs` in USD count (Reserved terms never). One distinct price is the answer;
 * none is `none` (unknown: never a guess); several (a filter that matched more than one product) is `ambiguous`.
 * Entries that are not product documents are ignored.
 */
export function readOnDemandHourlyPrice(priceList: readonly unknown[]): PriceListReading {
  const prices = new Set<number>();
  for (const entry of priceList) {
    let document: unknown;
    try {
      document = JSON.parse(String(entry));
    } catch {
      continue;
    }
    const parsed = productSchema.safeParse(document);
    if (!parsed.success) continue;
    for (const term of Object.values(parsed.data.terms.OnDemand)) {
      for (const dimension of Object.values(term.priceDimensions)) {
        if (dimension.unit === "Hrs") prices.add(Number(dimension.pricePerUnit.USD));
      }
    }
  }
  if (prices.size === 0) return { kind: "none" };
  if (prices.size > 1) return { kind: "ambiguous", prices: [...prices].sort((a, b) => a - b) };
  return { kind: "price", hourlyUsd: [...prices][0] as number };
}
