export { initialWorkerStateFixture } from "./fixtures.ts";
export { resetTopology } from "./reset-topology.ts";
export { captureTelemetry, type TelemetryCapture } from "./telemetry-capture.ts";
export { newInstanceId, putWorker } from "./worker-records.ts";
