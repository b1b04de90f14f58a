import { z } from "zod";
import { envVar } from "../env-registry.ts";
import { envInt, envSeconds } from "../env-types.ts";
import { jetstreamEnv, natsEnv } from "../nats-env.ts";
import { observabilityEnv } from "../observability-env.ts";

/** Config of `worker-aggregate`: the worker Decider, KV state and domain events. */
export const workerAggregateConfigSchema = z.object({
  ...natsEnv,
  ...jetstreamEnv,
  ...observabilityEnv(9467),
  IDLE_THRESHOLD_MINUTES: envVar(envInt({ min: 1, max: 10_080 }).default(30), {
    description: "Minutes without running labs after which a worker is idle (`idle_detected`).",
  }),
  IDLE_CHECK_INTERVAL_SECONDS: envVar(envSeconds({ min: 5, max: 86_400 }).default(60), {
    description: "Seconds between idle checks over all workers.",
  }),
});

/** Typed config of `worker-aggregate`. */
export type WorkerAggregateConfig = z.output<typeof workerAggregateConfigSchema>;
