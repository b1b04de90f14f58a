import {
  type CloudwatchMetrics,
  type CmlMetrics,
  type Ec2Action,
  type Ec2Discovered,
  type Ec2Status,
  type IdlePolicyCommand,
  type RegisterWorkerCommand,
  type Source,
  type SourceFailed,
  workerIdOf,
} from "@cml-telemetry/contracts";
import type { WorkerCommand } from "../decider/commands.ts";

/** The worker most tests use. */
export const REGION = "us-east-1";
export const INSTANCE_ID = "i-0123456789abcdef0";
export const WORKER_ID = workerIdOf(REGION, INSTANCE_ID);

const T0 = Date.parse("2026-11-25T12:00:00.000Z");

/** Timestamp `minutes` after 2026-11-25T12:00Z (fractions allowed). */
export function at(minutes: number): string {
  return new Date(T0 + minutes * 60_000).toISOString();
}

/** Date `minutes` after 2026-11-25T12:00Z. */
export function dateAt(minutes: number): Date {
  return new Date(T0 + minutes * 60_000);
}

function ref(workerId: string, instanceId: string) {
  return { workerId, region: REGION, instanceId };
}

/** Instance id of the n-th simulated worker. */
export function instanceIdOf(n: number): string {
  return `i-${n.toString(16).padStart(17, "0")}`;
}

/** ec2.discovered data of a running worker with a public IP. */
export function discoveredData(overrides: Partial<Ec2Discovered> = {}): Ec2Discovered {
  const instanceId = overrides.instanceId ?? INSTANCE_ID;
  return {
    ...ref(workerIdOf(REGION, instanceId), instanceId),
    name: "cml-lab-01",
    instanceType: "m5zn.metal",
    amiId: "ami-0abcdef1234567890",
    amiName: "cml-2.9.1",
    instanceState: "running",
    privateIp: "10.0.1.15",
    publicIp: "203.0.113.10",
    tags: { "cml:worker": "true", Name: "cml-lab-01" },
    launchTime: "2026-11-20T08:00:00.000Z",
    detailedMonitoring: false,
    observedAt: at(0),
    ...overrides,
  };
}

/** ec2.status data. */
export function ec2StatusData(overrides: Partial<Ec2Status> = {}): Ec2Status {
  const instanceId = overrides.instanceId ?? INSTANCE_ID;
  return {
    ...ref(workerIdOf(REGION, instanceId), instanceId),
    instanceState: "running",
    instanceStatus: "ok",
    systemStatus: "ok",
    observedAt: at(1),
    ...overrides,
  };
}

/** cloudwatch.metrics data. */
export function cloudwatchData(overrides: Partial<CloudwatchMetrics> = {}): CloudwatchMetrics {
  const instanceId = overrides.instanceId ?? INSTANCE_ID;
  return {
    ...ref(workerIdOf(REGION, instanceId), instanceId),
    cpuUtilization: 12.5,
    memoryUtilization: 40.1,
    periodSeconds: 300,
    datapointAt: at(-5),
    memoryDatapointAt: at(-5),
    stale: false,
    detailedMonitoring: false,
    observedAt: at(1),
    ...overrides,
  };
}

/** cml.metrics data of a ready CML with no running labs. */
export function cmlData(overrides: Partial<CmlMetrics> = {}): CmlMetrics {
  const instanceId = overrides.instanceId ?? INSTANCE_ID;
  return {
    ...ref(workerIdOf(REGION, instanceId), instanceId),
    ready: true,
    version: "2.9.1+build.7",
    uptimeSeconds: null,
    labsCount: 2,
    runningLabsCount: 0,
    licenseStatus: "REGISTERED",
    cpuPercent: 4.2,
    memoryUsedPercent: 16.7,
    diskUsedPercent: 69.1,
    runningNodes: 0,
    systemInfo: { version: "2.9.1+build.7", ready: true },
    observedAt: at(1),
    ...overrides,
  };
}

/** `<source>.failed` data. */
export function failedData(overrides: Partial<SourceFailed> = {}): SourceFailed {
  const instanceId = overrides.instanceId ?? INSTANCE_ID;
  return {
    ...ref(workerIdOf(REGION, instanceId), instanceId),
    errorType: "CmlUnreachable",
    errorMessage: "connect ECONNREFUSED",
    retryable: true,
    observedAt: at(1),
    ...overrides,
  };
}

/** ec2.action data: an operator's accepted stop of a running worker. */
export function ec2ActionData(overrides: Partial<Ec2Action> = {}): Ec2Action {
  const instanceId = overrides.instanceId ?? INSTANCE_ID;
  return {
    ...ref(workerIdOf(REGION, instanceId), instanceId),
    action: "stop",
    requestedBy: "alice",
    reason: "operator",
    dryRun: false,
    requestId: "req-1",
    outcome: "accepted",
    previousState: "running",
    currentState: "stopping",
    observedAt: at(2),
    ...overrides,
  };
}

/** Idle-policy skip data for the idle period that started at `idleSince`. */
export function idlePolicyData(overrides: Partial<IdlePolicyCommand> = {}): IdlePolicyCommand {
  const instanceId = overrides.instanceId ?? INSTANCE_ID;
  return {
    ...ref(workerIdOf(REGION, instanceId), instanceId),
    decision: "skip",
    reason: "exempt",
    mode: "on",
    idleSince: at(1),
    evaluatedAt: at(45),
    ...overrides,
  };
}

let inputCounter = 0;
function envelope(inputId?: string) {
  inputCounter += 1;
  return { inputId: inputId ?? `input-${inputCounter}`, receivedAt: at(0) };
}

/** Decider commands built from the data builders above. */
export const commandOf = {
  discovered: (overrides: Partial<Ec2Discovered> = {}): WorkerCommand => ({
    type: "ec2.discovered",
    data: discoveredData(overrides),
    ...envelope(),
  }),
  ec2Status: (overrides: Partial<Ec2Status> = {}): WorkerCommand => ({
    type: "ec2.status",
    data: ec2StatusData(overrides),
    ...envelope(),
  }),
  cloudwatch: (overrides: Partial<CloudwatchMetrics> = {}): WorkerCommand => ({
    type: "cloudwatch.metrics",
    data: cloudwatchData(overrides),
    ...envelope(),
  }),
  cml: (overrides: Partial<CmlMetrics> = {}): WorkerCommand => ({
    type: "cml.metrics",
    data: cmlData(overrides),
    ...envelope(),
  }),
  failed: (source: Source, overrides: Partial<SourceFailed> = {}): WorkerCommand => ({
    type: "source.failed",
    data: { ...failedData(overrides), source },
    ...envelope(),
  }),
  register: (overrides: Partial<RegisterWorkerCommand> = {}): WorkerCommand => ({
    type: "register",
    data: {
      workerId: WORKER_ID,
      region: REGION,
      instanceId: INSTANCE_ID,
      requestedBy: "ops-team",
      ...overrides,
    },
    ...envelope(),
  }),
  ec2Action: (overrides: Partial<Ec2Action> = {}): WorkerCommand => ({
    type: "ec2.action",
    data: ec2ActionData(overrides),
    ...envelope(),
  }),
  idlePolicy: (overrides: Partial<IdlePolicyCommand> = {}): WorkerCommand => ({
    type: "idlePolicy",
    data: idlePolicyData(overrides),
    ...envelope(),
  }),
  detectIdle: (thresholdMinutes = 30): WorkerCommand => ({
    type: "detectIdle",
    data: { slot: 1_764_072_000, thresholdMinutes },
    ...envelope(),
  }),
} as const;
