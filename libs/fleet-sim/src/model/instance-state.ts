import type { InstanceStateName, StatusCheckValue } from "./types.ts";

/** AWS's numeric code for each instance state (low byte of `instanceState.code`). */
export const INSTANCE_STATE_CODES: Readonly<Record<InstanceStateName, number>> = {
  pending: 0,
  running: 16,
  "shutting-down": 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

/** All instance state names. */
export const INSTANCE_STATE_NAMES = Object.keys(INSTANCE_STATE_CODES) as InstanceStateName[];

/** All status-check summary values. */
export const STATUS_CHECK_VALUES: readonly StatusCheckValue[] = [
  "ok",
  "impaired",
  "insufficient-data",
  "not-applicable",
  "initializing",
];

/** Type guard for instance state names coming from untrusted input. */
export function isInstanceStateName(value: unknown): value is InstanceStateName {
  return typeof value === "string" && value in INSTANCE_STATE_CODES;
}

/** Type guard for status-check values coming from untrusted input. */
export function isStatusCheckValue(value: unknown): value is StatusCheckValue {
  return typeof value === "string" && (STATUS_CHECK_VALUES as readonly string[]).includes(value);
}
