import type { LifecycleAction, Source } from "./enums.ts";

/** Subject prefixes and builders (DESIGN §4). Tokens are validated so a bad id can never widen a subscription. */
const TOKEN = /^[A-Za-z0-9_-]+$/;

function token(value: string, what: string): string {
  if (!TOKEN.test(value)) {
    throw new TypeError(`${what} "${value}" cannot be used as a subject token`);
  }
  return value;
}

export const subjects = {
  /** All commands. */
  commandsAll: "cml.cmd.>",
  /** `cml.cmd.discover.ec2.<region>` */
  discover: (region: string) => `cml.cmd.discover.ec2.${token(region, "region")}`,
  discoverAll: "cml.cmd.discover.ec2.*",
  /** `cml.cmd.collect.<source>.<workerId>` */
  collect: (source: Source, workerId: string) =>
    `cml.cmd.collect.${token(source, "source")}.${token(workerId, "workerId")}`,
  collectAll: (source: Source) => `cml.cmd.collect.${token(source, "source")}.*`,
  /** Commands for the worker aggregate: registration and the idle-detection tick. */
  workerCommandsAll: "cml.cmd.worker.>",
  register: (workerId: string) => `cml.cmd.worker.register.${token(workerId, "workerId")}`,
  detectIdle: "cml.cmd.worker.detect-idle",
  /** `cml.cmd.worker.idle-policy.<workerId>`: a decision of the idle auto-stop policy for the aggregate to record. */
  idlePolicy: (workerId: string) => `cml.cmd.worker.idle-policy.${token(workerId, "workerId")}`,
  /** `cml.cmd.lifecycle.<action>.<workerId>`: start, stop or terminate a worker's instance (worker-lifecycle). */
  lifecycle: (action: LifecycleAction, workerId: string) =>
    `cml.cmd.lifecycle.${token(action, "action")}.${token(workerId, "workerId")}`,
  lifecycleAll: "cml.cmd.lifecycle.>",

  telemetryAll: "cml.telemetry.>",
  /** `cml.telemetry.<source>.<workerId>` */
  telemetry: (source: Source, workerId: string) =>
    `cml.telemetry.${token(source, "source")}.${token(workerId, "workerId")}`,
  telemetryOfWorker: (workerId: string) => `cml.telemetry.*.${token(workerId, "workerId")}`,

  workerEventsAll: "cml.worker.>",
  /** `cml.worker.<workerId>.<event>` */
  workerEvent: (workerId: string, eventName: string) =>
    `cml.worker.${token(workerId, "workerId")}.${token(eventName, "event")}`,
  workerEventsOf: (workerId: string) => `cml.worker.${token(workerId, "workerId")}.>`,

  opsAll: "cml.ops.>",
  /** `cml.ops.<service>.job` */
  opsJob: (service: string) => `cml.ops.${token(service, "service")}.job`,
  opsConnection: "cml.ops.api.connection",
  /**
   * `cml.ops.<service>.pass.<region>.<slot>`: the claim and the outcome of one slot pass of a collector (its
   * `job.started`, then `job.completed` or `job.failed`). The first message is published only on an empty subject,
   * so the claim holds as long as `CML_OPS` keeps it, whatever the slot length.
   */
  opsPass: (service: string, region: string, slot: number) =>
    `cml.ops.${token(service, "service")}.pass.${token(region, "region")}.${token(String(slot), "slot")}`,

  /** Request/reply: metric history queries answered by metrics-history. */
  historyQuery: "cml.svc.history.query",
} as const;

/** The parts of a telemetry subject. */
export function parseTelemetrySubject(subject: string): { source: string; workerId: string } | undefined {
  const parts = subject.split(".");
  if (parts.length !== 4 || parts[0] !== "cml" || parts[1] !== "telemetry") return undefined;
  return { source: parts[2] as string, workerId: parts[3] as string };
}

/** The parts of a collect command subject. */
export function parseCollectSubject(subject: string): { source: string; workerId: string } | undefined {
  const parts = subject.split(".");
  if (parts.length !== 5 || parts[0] !== "cml" || parts[1] !== "cmd" || parts[2] !== "collect") {
    return undefined;
  }
  return { source: parts[3] as string, workerId: parts[4] as string };
}

/** The parts of a lifecycle command subject (the action is not checked here; the command's data is). */
export function parseLifecycleSubject(subject: string): { action: string; workerId: string } | undefined {
  const parts = subject.split(".");
  if (parts.length !== 5 || parts[0] !== "cml" || parts[1] !== "cmd" || parts[2] !== "lifecycle") {
    return undefined;
  }
  return { action: parts[3] as string, workerId: parts[4] as string };
}

/** The worker id of an idle-policy command subject. */
export function parseIdlePolicySubject(subject: string): { workerId: string } | undefined {
  const parts = subject.split(".");
  if (
    parts.length !== 5 ||
    parts[0] !== "cml" ||
    parts[1] !== "cmd" ||
    parts[2] !== "worker" ||
    parts[3] !== "idle-policy"
  ) {
    return undefined;
  }
  return { workerId: parts[4] as string };
}

/** The parts of a domain event subject. */
export function parseWorkerEventSubject(
  subject: string,
): { workerId: string; eventName: string } | undefined {
  const parts = subject.split(".");
  if (parts.length !== 4 || parts[0] !== "cml" || parts[1] !== "worker") return undefined;
  return { workerId: parts[2] as string, eventName: parts[3] as string };
}
