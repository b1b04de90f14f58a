export type { DetectIdleData, SourceFailedData, WorkerCommand, WorkerCommandType } from "./commands.ts";
export { decide } from "./decide.ts";
export { evolve } from "./evolve.ts";
export { initialState, isKnown, NEVER } from "./initial-state.ts";
export {
  canConnect,
  cmlFailureResetsReadiness,
  discoveredEndpoint,
  ENDPOINT_TAG,
  isIdle,
  serviceStatusOfCmlFailure,
  serviceStatusOfReady,
} from "./rules.ts";
export { epochMs, isNewer, minutesBetween, uptimeSeconds } from "./uptime.ts";
