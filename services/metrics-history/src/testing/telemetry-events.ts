import {
  type CmlCloudEvent,
  createEvent,
  type Source,
  subjects,
  telemetry,
  workerIdOf,
} from "@cml-telemetry/contracts";

/** Identity of a test worker as telemetry carries it. */
export interface TestWorkerRef {
  readonly workerId: string;
  readonly region: string;
  readonly instanceId: string;
}

/** A deterministic worker `n` in `region`. */
export function testWorker(n: number, region = "us-east-1"): TestWorkerRef {
  const instanceId = `i-${n.toString(16).padStart(17, "0")}`;
  return { workerId: workerIdOf(region, instanceId), region, instanceId };
}

/** A telemetry event ready to publish, with its subject. */
export interface TelemetryMessage {
  readonly subject: string;
  readonly event: CmlCloudEvent<unknown>;
}

const at = (date: Date): string => date.toISOString();

/** `cloudwatch.metrics` of a worker observed at `observedAt`. */
export function cloudwatchTelemetry(
  worker: TestWorkerRef,
  observedAt: Date,
  values: { cpu: number | null; memory: number | null },
  id?: string,
): TelemetryMessage {
  const event = createEvent(telemetry.cloudwatchMetrics, {
    source: "collector-cloudwatch",
    subject: worker.workerId,
    ...(id ? { id } : {}),
    data: {
      ...worker,
      cpuUtilization: values.cpu,
      memoryUtilization: values.memory,
      periodSeconds: 300,
      datapointAt: at(observedAt),
      memoryDatapointAt: values.memory === null ? null : at(observedAt),
      stale: false,
      detailedMonitoring: false,
      observedAt: at(observedAt),
    },
  });
  return { subject: subjects.telemetry("cloudwatch", worker.workerId), event };
}

/** `cml.metrics` of a worker observed at `observedAt`. */
export function cmlTelemetry(
  worker: TestWorkerRef,
  observedAt: Date,
  values: { labsCount: number; runningLabsCount: number; cpuPercent: number; memoryUsedPercent: number },
): TelemetryMessage {
  const event = createEvent(telemetry.cmlMetrics, {
    source: "collector-cml",
    subject: worker.workerId,
    data: {
      ...worker,
      ready: true,
      version: "2.9.1+build.7",
      uptimeSeconds: null,
      licenseStatus: "REGISTERED",
      diskUsedPercent: 40,
      runningNodes: 3,
      systemInfo: { ready: true },
      observedAt: at(observedAt),
      ...values,
    },
  });
  return { subject: subjects.telemetry("cml", worker.workerId), event };
}

/** `ec2.status` of a worker observed at `observedAt`. */
export function ec2StatusTelemetry(
  worker: TestWorkerRef,
  observedAt: Date,
  instanceState: string,
): TelemetryMessage {
  const checks = instanceState === "running" ? "ok" : "not-applicable";
  const event = createEvent(telemetry.ec2Status, {
    source: "collector-ec2",
    subject: worker.workerId,
    data: {
      ...worker,
      instanceState,
      instanceStatus: checks,
      systemStatus: checks,
      observedAt: at(observedAt),
    },
  });
  return { subject: subjects.telemetry("ec2", worker.workerId), event };
}

/** `<source>.failed` of a worker (carries no sample). */
export function sourceFailedTelemetry(
  worker: TestWorkerRef,
  source: Source,
  observedAt: Date,
): TelemetryMessage {
  const definition =
    source === "ec2"
      ? telemetry.ec2Failed
      : source === "cloudwatch"
        ? telemetry.cloudwatchFailed
        : telemetry.cmlFailed;
  const event = createEvent(definition, {
    source: `collector-${source}`,
    subject: worker.workerId,
    data: {
      ...worker,
      errorType: "Throttled",
      errorMessage: "Rate exceeded",
      retryable: true,
      observedAt: at(observedAt),
    },
  });
  return { subject: subjects.telemetry(source, worker.workerId), event };
}
