export {
  cloudwatchTelemetry,
  cmlTelemetry,
  ec2StatusTelemetry,
  sourceFailedTelemetry,
  type TelemetryMessage,
  type TestWorkerRef,
  testWorker,
} from "./telemetry-events.ts";
