import { envVar } from "./env-registry.ts";
import { envInt, envSeconds } from "./env-types.ts";

/**
 * Idle detection, read by worker-aggregate (which emits `idle_detected` on it) and by worker-lifecycle (whose idle
 * auto-stop policy judges idleness the same way and runs on the same tick). Defined once here for both.
 */
export const idleEnv = {
  IDLE_THRESHOLD_MINUTES: envVar(envInt({ min: 1, max: 10_080 }).default(30), {
    description:
      "Minutes without running labs after which a worker is idle (`idle_detected`; the idle auto-stop policy also counts them from the worker's last start).",
  }),
  IDLE_CHECK_INTERVAL_SECONDS: envVar(envSeconds({ min: 5, max: 86_400 }).default(60), {
    description:
      "Seconds between idle checks over all workers (worker-aggregate's idle detection, worker-lifecycle's idle auto-stop passes).",
  }),
} as const;
