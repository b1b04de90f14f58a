import { z } from "zod";
import { envVar } from "../env-registry.ts";
import { envSeconds } from "../env-types.ts";
import { idleEnv } from "../idle-env.ts";
import { jetstreamEnv, natsEnv } from "../nats-env.ts";
import { observabilityEnv } from "../observability-env.ts";

/** Config of `worker-aggregate`: the worker Decider, KV state and domain events. */
export const workerAggregateConfigSchema = z.object({
  ...natsEnv,
  ...jetstreamEnv,
  ...observabilityEnv(9467),
  ...idleEnv,
  IDLE_CHECK_INTERVAL_SECONDS: envVar(envSeconds({ min: 5, max: 86_400 }).default(60), {
    description: "Seconds between idle checks over all workers.",
  }),
});

/** Typed config of `worker-aggregate`. */
export type WorkerAggregateConfig = z.output<typeof workerAggregateConfigSchema>;
