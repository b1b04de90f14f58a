import { getProducts, type PricingRequest } from "./get-products.ts";

/** The Price List Query API operations the simulator implements, each returning the JSON output. */
export const PRICING_OPERATIONS: Readonly<
  Record<string, (request: PricingRequest) => Record<string, unknown>>
> = {
  GetProducts: getProducts,
};
