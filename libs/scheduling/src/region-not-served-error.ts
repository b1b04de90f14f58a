import { TransientError } from "@cml-telemetry/contracts";

/**
 * A command for a region this replica has no AWS client for (`CML_REGIONS`). It is left to a replica that serves the
 * region: negatively acknowledged with backoff, never acknowledged away.
 */
export class RegionNotServedError extends TransientError {
  readonly region: string;

  constructor(region: string) {
    super(`region ${region} is not in this replica's CML_REGIONS; left for a replica that serves it`, {
      code: "REGION_NOT_SERVED",
    });
    this.region = region;
  }
}
