/**
 * Pure lifecycle logic of the dashboard: which actions a worker's status allows, and how its idle-policy state,
 * last lifecycle action, cost and lifecycle events read.
 * @typedef {"start" | "stop" | "terminate"} LifecycleAction
 * @typedef {{ action: LifecycleAction, requested_by: string, reason: string, dry_run: boolean, outcome: string, request_id: string, at: string }} LastLifecycleAction
 * @typedef {{ mode: "off" | "dry-run" | "on", state: "off" | "not-idle" | "will-stop" | "skipped" | "stop-requested", skip_reason: string | null }} IdlePolicy
 * @typedef {{ hourly_usd: number | null, running_hours_month_to_date: number, month_to_date_usd: number | null, saved_by_idle_stop_usd_month_to_date: number | null }} Cost
 * @typedef {{ month: string, month_to_date_usd: number, saved_by_idle_stop_usd_month_to_date: number, workers_with_unknown_price: number }} FleetCost
 */

/** @type {readonly LifecycleAction[]} */
export const LIFECYCLE_ACTIONS = ["start", "stop", "terminate"];

/** The domain event the aggregate records an action's outcome with. */
export const LIFECYCLE_EVENTS = {
  start: "start_requested",
  stop: "stop_requested",
  terminate: "terminate_requested",
};

/** What a status on the way somewhere is on its way to, shown while the worker moves. */
const TRANSITIONS = {
  PENDING: "Starting…",
  STOPPING: "Stopping…",
  SHUTTING_DOWN: "Shutting down…",
};

/**
 * The actions a worker's status allows: start a stopped one, stop a running one, terminate any that is not on its way
 * out. (EC2 refuses the rest with IncorrectInstanceState.)
 * @param {string} status
 * @returns {Record<LifecycleAction, boolean>}
 */
export function allowedActions(status) {
  return {
    start: status === "STOPPED",
    stop: status === "RUNNING",
    terminate: status !== "SHUTTING_DOWN" && status !== "TERMINATED",
  };
}

/**
 * "Stopping…" while the status is a transitional one, else "".
 * @param {string} status
 */
export function transitionText(status) {
  return TRANSITIONS[/** @type {keyof typeof TRANSITIONS} */ (status)] ?? "";
}

const SKIP_REASONS = {
  "labs-running": "labs running",
  "cml-unknown": "CML state unknown or stale",
  exempt: "exempt by tag cml:idle-stop=off",
  snoozed: "snoozed after an operator's start",
  "maintenance-window": "inside a maintenance window",
};

/**
 * The idle policy's state as a sentence: "off", "on: will stop when the policy next runs", …
 * @param {IdlePolicy} policy
 */
export function describeIdlePolicy(policy) {
  if (policy.state === "off") return "off";
  const what = {
    "not-idle": "not idle",
    "will-stop": policy.mode === "dry-run" ? "would stop it (dry run)" : "will stop it",
    skipped: `left running: ${SKIP_REASONS[/** @type {keyof typeof SKIP_REASONS} */ (policy.skip_reason ?? "")] ?? policy.skip_reason}`,
    "stop-requested": policy.mode === "dry-run" ? "stop recorded (dry run)" : "stop requested",
  }[policy.state];
  return `${policy.mode}: ${what}`;
}

/**
 * "stop by ops-team (operator): accepted"; "dry run" and the reason when they say something.
 * @param {LastLifecycleAction | null} last
 */
export function describeLastAction(last) {
  if (last === null) return "none";
  const dryRun = last.dry_run ? ", dry run" : "";
  return `${last.action} by ${last.requested_by} (${last.reason}${dryRun}): ${last.outcome}`;
}

const usd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
const hourly = new Intl.NumberFormat("en-US", {
  style: "currency",
  currency: "USD",
  minimumFractionDigits: 2,
  maximumFractionDigits: 4,
});

/**
 * US dollars to the cent, "—" when unknown.
 * @param {number | null} value
 */
export function formatUsd(value) {
  return value === null ? "—" : usd.format(value);
}

/**
 * The month-to-date cost line of a worker: "$61.44 (15.5 h at $3.9641/h)", or the hours with an unknown price.
 * @param {Cost} cost
 */
export function describeCost(cost) {
  const hours = `${cost.running_hours_month_to_date} h`;
  if (cost.hourly_usd === null) return `price unknown (${hours} running)`;
  return `${formatUsd(cost.month_to_date_usd)} (${hours} at ${hourly.format(cost.hourly_usd)}/h)`;
}

/**
 * One line for a lifecycle domain event: "accepted · by ops-team (operator) · running → stopping".
 * @param {any} data
 */
export function describeLifecycleEvent(data) {
  const outcome = `${data.outcome}${data.dryRun ? " (dry run)" : ""}`;
  const states = `${data.previousState ?? "—"} → ${data.currentState ?? "—"}`;
  const error = data.errorType ? ` · ${data.errorType}: ${data.errorMessage ?? ""}` : "";
  return `${outcome} · by ${data.requestedBy} (${data.reason}) · ${states}${error}`;
}

/**
 * What became of a request, for the operator who made it.
 * @param {LifecycleAction} action
 * @param {any} data the `<action>_requested` event's data
 */
export function describeOutcome(action, data) {
  switch (data.outcome) {
    case "accepted":
      return `EC2 accepted the ${action}: ${data.previousState ?? "—"} → ${data.currentState ?? "—"}.`;
    case "already":
      return `Nothing to do: the instance is already ${data.currentState ?? "there"}.`;
    case "dry-run":
      return `Dry run: EC2 would ${action} it.`;
    default:
      return `EC2 refused the ${action}: ${data.errorType ?? "error"}: ${data.errorMessage ?? ""}`;
  }
}

/**
 * A request id for `X-Request-Id` (1–128 of `[A-Za-z0-9._:-]`): a UUID where the browser has one (secure contexts),
 * else 32 random hex digits.
 * @param {Crypto} crypto
 */
export function newRequestId(crypto) {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) =>
    byte.toString(16).padStart(2, "0"),
  ).join("");
}
