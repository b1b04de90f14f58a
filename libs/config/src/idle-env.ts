import { envVar } from "./env-registry.ts";
import { envInt } from "./env-types.ts";

/** The idle rule (DESIGN §5), read by the aggregate (`idle_detected`) and the api (`is_idle`, the `idle` filter). */
export const idleEnv = {
  IDLE_THRESHOLD_MINUTES: envVar(envInt({ min: 1, max: 10_080 }).default(30), {
    description:
      "Minutes without running labs after which a worker is idle: the aggregate emits `idle_detected`, the api answers `is_idle` and the `idle` filter. Give both the same value.",
  }),
} as const;
