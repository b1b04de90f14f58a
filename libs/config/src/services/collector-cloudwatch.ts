import { z } from "zod";
import { awsEnv, cloudWatchEndpointEnv, withDefaultRegion } from "../aws-env.ts";
import { envVar } from "../env-registry.ts";
import { envSeconds } from "../env-types.ts";
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
    COLLECT_INTERVAL_CLOUDWATCH_SECONDS: envVar(envSeconds({ min: 10, max: 86_400 }).default(60), {
      description:
        "Seconds between CloudWatch collection slots. Workers with detailed monitoring (1-minute datapoints) are collected every slot; basic-monitoring workers (5-minute datapoints) only in the slot that crosses each 300-second boundary, so no metric is requested (and billed) more often than it can change.",
    }),
  })
  .transform(withDefaultRegion);

/** Typed config of `collector-cloudwatch`. */
export type CollectorCloudWatchConfig = z.output<typeof collectorCloudWatchConfigSchema>;
