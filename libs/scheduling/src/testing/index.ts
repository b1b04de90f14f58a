export { initialWorkerStateFixture } from "./fixtures.ts";
export { captureTelemetry, type TelemetryCapture } from "./telemetry-capture.ts";
export { newInstanceId, putWorker } from "./worker-records.ts";
