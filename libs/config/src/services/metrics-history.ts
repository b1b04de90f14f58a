import { z } from "zod";
import { envVar } from "../env-registry.ts";
import { envInt, envSeconds, envString, envUrl } from "../env-types.ts";
import { jetstreamEnv, natsEnv } from "../nats-env.ts";
import { observabilityEnv } from "../observability-env.ts";

/** Config of `metrics-history`: stores telemetry samples and answers history queries. */
export const metricsHistoryConfigSchema = z.object({
  ...natsEnv,
  ...jetstreamEnv,
  ...observabilityEnv(9468),
  MONGODB_URI: envVar(envUrl({ protocols: ["mongodb", "mongodb+srv"] }).optional(), {
    description:
      "MongoDB connection string (time-series collection `worker_metrics_timeseries`); unset = embedded in-process store rebuilt from `CML_TELEMETRY`.",
    secret: true,
  }),
  MONGODB_DB: envVar(envString().default("cml_telemetry"), {
    description: "MongoDB database name.",
  }),
  HISTORY_RETENTION_DAYS: envVar(envInt({ min: 1, max: 3650 }).default(30), {
    description: "Days history samples are kept (`expireAfterSeconds` of the time-series collection).",
  }),
  HISTORY_RETENTION_CHECK_SECONDS: envVar(envSeconds({ min: 60, max: 604_800 }).default(3600), {
    description:
      "Seconds between runs of the `history-retention` job (also run at start): the embedded store drops expired samples, MongoDB has its TTL verified.",
  }),
});

/** Typed config of `metrics-history`. */
export type MetricsHistoryConfig = z.output<typeof metricsHistoryConfigSchema>;
