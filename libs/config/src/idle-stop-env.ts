import { IDLE_STOP_MODES } from "@cml-telemetry/contracts";
import {
  MAINTENANCE_WINDOW_FORMAT,
  type MaintenanceWindow,
  MaintenanceWindowError,
  parseMaintenanceWindows,
} from "@cml-telemetry/lifecycle";
import { z } from "zod";
import { envVar } from "./env-registry.ts";
import { envEnum, envInt } from "./env-types.ts";

/** `IDLE_STOP_WINDOWS`: weekly maintenance windows in UTC (see `parseMaintenanceWindows`). */
function envMaintenanceWindows() {
  return z.string().transform((raw, ctx): MaintenanceWindow[] => {
    try {
      return parseMaintenanceWindows(raw);
    } catch (error) {
      if (!(error instanceof MaintenanceWindowError)) throw error;
      ctx.addIssue({ code: "custom", message: error.message });
      return z.NEVER;
    }
  });
}

/**
 * The idle auto-stop policy (DESIGN §11), read by worker-lifecycle (which acts on it) and by the api (which shows
 * each worker's policy state). Defined once here for both.
 */
export const idleStopPolicyEnv = {
  IDLE_STOP_MODE: envVar(envEnum(IDLE_STOP_MODES).default("off"), {
    description:
      "Idle auto-stop: `off` (nothing is stopped), `dry-run` (EC2 is asked with `DryRun=true` and `stop_requested` records the intent; nothing stops) or `on` (idle workers are stopped). A worker is stopped only when idle, its CML data fresh (synced within two CML intervals, service AVAILABLE, no running labs or nodes), not tagged `cml:idle-stop=off`, not started by an operator within `IDLE_STOP_SNOOZE_MINUTES`, and outside `IDLE_STOP_WINDOWS`; otherwise `idle_stop_skipped` says why, once per idle period.",
  }),
  IDLE_STOP_SNOOZE_MINUTES: envVar(envInt({ min: 0, max: 10_080 }).default(60), {
    description: "Minutes after an operator's start during which the idle policy leaves the worker running.",
  }),
  IDLE_STOP_WINDOWS: envVar(envMaintenanceWindows().default([]), {
    description: `Comma-separated weekly maintenance windows during which the idle policy stops nothing: ${MAINTENANCE_WINDOW_FORMAT}; a window whose end is not after its start runs past midnight.`,
    defaultText: "(none)",
  }),
} as const;
