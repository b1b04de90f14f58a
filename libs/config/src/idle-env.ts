import { envVar } from "./env-registry.ts";
import { envInt, envSeconds } from "./env-types.ts";

/**
 * The idle rule (DESIGN §5), read by worker-aggregate (`idle_detected`), the api (`is_idle`, the `idle` filter)
 * and worker-lifecycle (whose idle auto-stop policy judges idleness the same way). Defined once here for all.
 */
export const idleEnv = {
  IDLE_THRESHOLD_MINUTES: envVar(envInt({ min: 1, max: 10_080 }).default(30), {
    description:
      "Minutes without running labs after which a worker is idle: the aggregate emits `idle_detected`, the api answers `is_idle` and the `idle` filter, and the idle auto-stop policy counts them (also from the worker's last start). Give every service the same value.",
  }),
} as const;

/** How often idleness is checked: worker-aggregate's idle detection and worker-lifecycle's idle auto-stop passes. */
export const idleCheckEnv = {
  IDLE_CHECK_INTERVAL_SECONDS: envVar(envSeconds({ min: 5, max: 86_400 }).default(60), {
    description:
      "Seconds between idle checks over all workers (worker-aggregate's idle detection, worker-lifecycle's idle auto-stop passes).",
  }),
} as const;
