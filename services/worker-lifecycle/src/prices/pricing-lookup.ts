import { GetProductsCommand, type PricingClient } from "@aws-sdk/client-pricing";
import type { AwsCaller } from "@cml-telemetry/aws";
import { type PriceListReading, readOnDemandHourlyPrice } from "./parse-price-list.ts";

/** Looks up on-demand prices in the AWS Price List Query API. */
export interface PricingLookup {
  /** The on-demand hourly price of a Linux instance of `instanceType` in `region`. */
  onDemandLinuxPrice(region: string, instanceType: string): Promise<PriceListReading>;
}

/** Pages read at most per lookup (the filters below match one product; more pages mean a filter is missing). */
const MAX_PAGES = 5;

/**
 * {@link PricingLookup} over `@aws-sdk/client-pricing` `GetProducts`: Linux, shared tenancy, no pre-installed software,
 * capacity status `Used`, by `regionCode` and `instanceType` — the filters that leave the one on-demand product (other
 * operating systems, dedicated tenancy and capacity-reservation lines are products of their own).
 */
export function createPricingLookup(options: {
  client: PricingClient;
  caller: AwsCaller;
  /** Region of the Price List Query API endpoint (for the call metrics). */
  endpointRegion: string;
}): PricingLookup {
  return {
    async onDemandLinuxPrice(region, instanceType) {
      const priceList: unknown[] = [];
      let nextToken: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const out = await options.caller.call("GetProducts", options.endpointRegion, () =>
          options.client.send(
            new GetProductsCommand({
              ServiceCode: "AmazonEC2",
              FormatVersion: "aws_v1",
              Filters: [
                { Type: "TERM_MATCH", Field: "regionCode", Value: region },
                { Type: "TERM_MATCH", Field: "instanceType", Value: instanceType },
                { Type: "TERM_MATCH", Field: "operatingSystem", Value: "Linux" },
                { Type: "TERM_MATCH", Field: "tenancy", Value: "Shared" },
                { Type: "TERM_MATCH", Field: "preInstalledSw", Value: "NA" },
                { Type: "TERM_MATCH", Field: "capacitystatus", Value: "Used" },
              ],
              ...(nextToken === undefined ? {} : { NextToken: nextToken }),
            }),
          ),
        );
        priceList.push(...((out.PriceList ?? []) as unknown[]));
        nextToken = out.NextToken;
        if (nextToken === undefined) break;
      }
      return readOnDemandHourlyPrice(priceList);
    },
  };
}
