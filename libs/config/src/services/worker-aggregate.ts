import { z } from "zod";
import { idleCheckEnv, idleEnv } from "../idle-env.ts";
import { jetstreamEnv, natsEnv } from "../nats-env.ts";
import { observabilityEnv } from "../observability-env.ts";

/** Config of `worker-aggregate`: the worker Decider, KV state and domain events. */
export const workerAggregateConfigSchema = z.object({
  ...natsEnv,
  ...jetstreamEnv,
  ...observabilityEnv(9467),
  ...idleEnv,
  ...idleCheckEnv,
});

/** Typed config of `worker-aggregate`. */
export type WorkerAggregateConfig = z.output<typeof workerAggregateConfigSchema>;
