export { checkEventLog, type LoggedEvent, readWorkerEvents, readWorkerRecords } from "./event-log.ts";
export {
  fleetTelemetry,
  fleetTelemetryRound,
  fleetWorkerId,
  interleavedFleetTelemetryRound,
} from "./fleet-telemetry.ts";
export { type TelemetryMessage, telemetryMessage } from "./telemetry-messages.ts";
export * from "./worker-fixtures.ts";
