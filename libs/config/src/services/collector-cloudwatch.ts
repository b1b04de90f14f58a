import { z } from "zod";
import { awsEnv, cloudWatchEndpointEnv, withDefaultRegion } from "../aws-env.ts";
import { collectIntervalEnv } from "../collect-intervals-env.ts";
import { jetstreamEnv, natsEnv } from "../nats-env.ts";
import { observabilityEnv } from "../observability-env.ts";

/** Config of `collector-cloudwatch`: CPU and memory metrics via `GetMetricData`. */
export const collectorCloudWatchConfigSchema = z
  .object({
    ...natsEnv,
    ...jetstreamEnv,
    ...observabilityEnv(9465),
    ...awsEnv,
    ...cloudWatchEndpointEnv,
    ...collectIntervalEnv.cloudwatch,
  })
  .transform(withDefaultRegion);

/** Typed config of `collector-cloudwatch`. */
export type CollectorCloudWatchConfig = z.output<typeof collectorCloudWatchConfigSchema>;
