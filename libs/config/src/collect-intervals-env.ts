import { envVar } from "./env-registry.ts";
import { envSeconds } from "./env-types.ts";

/**
 * The collection interval of each source, read by its collector (which schedules on it) and by the api (which
 * tells the dashboard how old a source's data may be before it is stale). Defined once here for both.
 */
export const collectIntervalEnv = {
  ec2: {
    COLLECT_INTERVAL_EC2_SECONDS: envVar(envSeconds({ min: 5, max: 86_400 }).default(60), {
      description:
        "Seconds between EC2 status collection slots (`DescribeInstanceStatus`, batched by 100 instances). The api reads it too, to judge when EC2 data is stale.",
    }),
  },
  cloudwatch: {
    COLLECT_INTERVAL_CLOUDWATCH_SECONDS: envVar(envSeconds({ min: 10, max: 86_400 }).default(60), {
      description:
        "Seconds between CloudWatch collection slots. Workers with detailed monitoring (1-minute datapoints) are collected every slot; basic-monitoring workers (5-minute datapoints) only in the slot that crosses each 300-second boundary, so no metric is requested (and billed) more often than it can change. The api reads it too, to judge when CloudWatch data is stale.",
    }),
  },
  cml: {
    COLLECT_INTERVAL_CML_SECONDS: envVar(envSeconds({ min: 5, max: 86_400 }).default(60), {
      description:
        "Seconds between CML collection slots for RUNNING workers with an HTTPS endpoint. The api reads it too, to judge when CML data is stale.",
    }),
  },
} as const;
