export { costOf, roundCost, type WorkerCost } from "./cost.ts";
export {
  cmlFreshSecondsOf,
  evaluateIdleStop,
  hasFreshCmlData,
  type IdleStopDecision,
  type IdleStopPolicyConfig,
  isIdleStopExempt,
  isSnoozed,
} from "./evaluate-idle-stop.ts";
export { IDLE_STOP_REQUEST_NAMESPACE, idleSinceOf, idleStopRequestId } from "./idle-period.ts";
export {
  inMaintenanceWindow,
  MAINTENANCE_WINDOW_FORMAT,
  type MaintenanceWindow,
  MaintenanceWindowError,
  parseMaintenanceWindows,
} from "./maintenance-windows.ts";
export { type PricesFile, priceEntriesOfFile, priceKey, pricesFileSchema } from "./prices.ts";
export { addClosedInterval, secondsInMonthOf, type UsageKind, utcMonthOf, utcMonthStartMs } from "./usage.ts";
