import { generateFleetSpecs } from "./generate-fleet.ts";
import { createSeededRandom } from "./seeded-random.ts";
import { simulatedPublicIp } from "./simulated-public-ip.ts";
import type {
  AgentConfig,
  FleetTimings,
  InstanceAction,
  InstancePatch,
  InstanceSpec,
  InstanceStateName,
  InstanceView,
  StatusCheckValue,
} from "./types.ts";
import { UnknownInstanceError } from "./unknown-instance-error.ts";

/** Options of {@link createFleetModel}. */
export interface FleetModelOptions {
  /** Seed of the generated fleet (default 1). */
  seed?: number | string;
  /** Number of generated CML workers (default 0). */
  workers?: number;
  /** Number of generated instances without the worker tag (default 0). */
  untagged?: number;
  /** Regions the generated instances are spread over (default `us-east-1`, `eu-west-1`). */
  regions?: readonly string[];
  /** Tag key marking CML workers (default `cml:worker`). */
  workerTagKey?: string;
  /** Explicit instances, added after the generated ones. */
  instances?: readonly InstanceSpec[];
  /** Clock in epoch milliseconds (default `Date.now`). */
  now?: () => number;
  timings?: Partial<FleetTimings>;
}

/** A change in the fleet, for listeners such as the CML server pool. */
export interface FleetChange {
  type: "added" | "updated" | "removed";
  instance: InstanceRecord;
}

/** The mutable record behind an instance; read it, change it only through the model. */
export interface InstanceRecord {
  instanceId: string;
  region: string;
  availabilityZone: string;
  imageId: string;
  amiName: string;
  instanceType: string;
  privateIpAddress: string;
  assignedPublicIp: string | null;
  launchTime: number;
  state: InstanceStateName;
  stateSince: number;
  transitionAt: number | null;
  transitionTo: InstanceStateName | null;
  tags: Record<string, string>;
  detailedMonitoring: boolean;
  agent: AgentConfig;
  cpuOverride: number | null;
  memoryOverride: number | null;
  instanceStatusOverride: StatusCheckValue | null;
  systemStatusOverride: StatusCheckValue | null;
  cml: boolean;
  cmlBootSeconds: number;
  runs: Array<[number, number | null]>;
}

/** The simulated fleet: instances in several regions whose state and metrics change over time. */
export interface FleetModel {
  readonly timings: Readonly<FleetTimings>;
  readonly workerTagKey: string;
  /** Current time of the model's clock (epoch ms). */
  now(): number;
  /** Applies every lifecycle transition that is due. */
  advance(): void;
  /** Instances of one region (or all), in creation order, after {@link FleetModel.advance}. */
  instances(region?: string): readonly InstanceRecord[];
  /** Finds an instance by id, or by `Name` tag; undefined when none matches. */
  find(ref: string): InstanceRecord | undefined;
  /** Like {@link FleetModel.find} but throws {@link UnknownInstanceError}. */
  get(ref: string): InstanceRecord;
  /** Regions that hold at least one instance. */
  regions(): string[];
  add(spec: InstanceSpec): InstanceRecord;
  update(ref: string, patch: InstancePatch): InstanceRecord;
  remove(ref: string): InstanceRecord;
  /** Instance and system status checks as DescribeInstanceStatus reports them now. */
  statusChecks(instance: InstanceRecord): {
    instanceStatus: StatusCheckValue;
    systemStatus: StatusCheckValue;
  };
  /** Public IP while running, else null (AWS releases it on stop). */
  publicIp(instance: InstanceRecord): string | null;
  /** A plain snapshot of one instance. */
  view(instance: InstanceRecord): InstanceView;
  /** Subscribes to changes; returns the unsubscribe function. */
  onChange(listener: (change: FleetChange) => void): () => void;
}

/** Default lifecycle and CloudWatch timings. */
export const DEFAULT_TIMINGS: Readonly<FleetTimings> = {
  bootSeconds: 60,
  stopSeconds: 30,
  terminateSeconds: 30,
  statusInitSeconds: 120,
  metricLagSeconds: 60,
};

/** How long running intervals are kept for datapoints. */
const RUN_HISTORY_MS = 15 * 86_400_000;

/**
 * Creates a fleet model. Deterministic for a given seed and clock.
 * @example
 * const fleet = createFleetModel({ seed: 7, workers: 20, untagged: 1, regions: ["us-east-1", "eu-west-1"] });
 */
export function createFleetModel(options: FleetModelOptions = {}): FleetModel {
  const now = options.now ?? Date.now;
  const timings: FleetTimings = { ...DEFAULT_TIMINGS, ...options.timings };
  const workerTagKey = options.workerTagKey ?? "cml:worker";
  const byId = new Map<string, InstanceRecord>();
  const byRegion = new Map<string, InstanceRecord[]>();
  const inTransition = new Set<InstanceRecord>();
  const listeners = new Set<(change: FleetChange) => void>();
  const random = createSeededRandom(`${options.seed ?? 1}/extra`);

  const emit = (type: FleetChange["type"], instance: InstanceRecord): void => {
    for (const listener of listeners) listener({ type, instance });
  };

  const setState = (record: InstanceRecord, state: InstanceStateName, at: number): void => {
    if (record.state === state) return;
    const last = record.runs.at(-1);
    if (record.state === "running" && last && last[1] === null) last[1] = at;
    if (state === "running") record.runs.push([at, null]);
    while (
      record.runs.length > 1 &&
      (record.runs[0]?.[1] ?? Number.POSITIVE_INFINITY) < at - RUN_HISTORY_MS
    ) {
      record.runs.shift();
    }
    record.state = state;
    record.stateSince = at;
  };

  const schedule = (record: InstanceRecord, to: InstanceStateName | null, at: number | null): void => {
    record.transitionTo = to;
    record.transitionAt = at;
    if (to === null) inTransition.delete(record);
    else inTransition.add(record);
  };

  const advance = (): void => {
    if (inTransition.size === 0) return;
    const t = now();
    for (const record of [...inTransition]) {
      if (record.transitionAt === null || record.transitionTo === null || record.transitionAt > t) continue;
      const to = record.transitionTo;
      setState(record, to, record.transitionAt);
      schedule(record, null, null);
      emit("updated", record);
    }
  };

  const add = (spec: InstanceSpec): InstanceRecord => {
    const t = now();
    const instanceId = spec.instanceId ?? `i-0${random.hex(16)}`;
    if (byId.has(instanceId)) throw new RangeError(`Instance ${instanceId} already exists`);
    const state = spec.state ?? "running";
    const launchTime = spec.launchTime ?? t;
    const record: InstanceRecord = {
      instanceId,
      region: spec.region,
      availabilityZone: spec.availabilityZone ?? `${spec.region}a`,
      imageId: spec.imageId ?? `ami-0${random.hex(16)}`,
      amiName: spec.amiName ?? "cml-2.9.1-controller",
      instanceType: spec.instanceType ?? "c5.2xlarge",
      privateIpAddress:
        spec.privateIpAddress ?? `10.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(4, 254)}`,
      assignedPublicIp: spec.publicIpAddress === undefined ? simulatedPublicIp(random) : spec.publicIpAddress,
      launchTime,
      state,
      stateSince: state === "running" || state === "pending" ? launchTime : t,
      transitionAt: null,
      transitionTo: null,
      tags: { ...spec.tags },
      detailedMonitoring: spec.detailedMonitoring ?? false,
      agent: spec.agent ?? "instance-id",
      cpuOverride: spec.cpuOverride ?? null,
      memoryOverride: spec.memoryOverride ?? null,
      instanceStatusOverride: spec.instanceStatusOverride ?? null,
      systemStatusOverride: spec.systemStatusOverride ?? null,
      cml: spec.cml ?? false,
      cmlBootSeconds: spec.cmlBootSeconds ?? 0,
      runs: [],
    };
    if (state === "running") record.runs.push([launchTime, null]);
    if (state === "stopped" || state === "stopping")
      record.runs.push([launchTime, Math.max(launchTime, t - 3_600_000)]);
    if (state === "pending") schedule(record, "running", launchTime + timings.bootSeconds * 1000);
    if (state === "stopping") schedule(record, "stopped", t + timings.stopSeconds * 1000);
    if (state === "shutting-down") schedule(record, "terminated", t + timings.terminateSeconds * 1000);
    byId.set(instanceId, record);
    const list = byRegion.get(record.region) ?? [];
    list.push(record);
    byRegion.set(record.region, list);
    emit("added", record);
    return record;
  };

  const find = (ref: string): InstanceRecord | undefined => {
    const direct = byId.get(ref);
    if (direct) return direct;
    for (const record of byId.values()) if (record.tags.Name === ref) return record;
    return undefined;
  };

  const get = (ref: string): InstanceRecord => {
    advance();
    const record = find(ref);
    if (!record) throw new UnknownInstanceError(ref);
    return record;
  };

  const applyAction = (record: InstanceRecord, action: InstanceAction): void => {
    const t = now();
    switch (action) {
      case "start":
        if (record.state !== "stopped")
          throw new RangeError(`Cannot start ${record.instanceId} in state ${record.state}`);
        setState(record, "pending", t);
        schedule(record, "running", t + timings.bootSeconds * 1000);
        return;
      case "stop":
        if (record.state !== "running" && record.state !== "pending") {
          throw new RangeError(`Cannot stop ${record.instanceId} in state ${record.state}`);
        }
        setState(record, "stopping", t);
        schedule(record, "stopped", t + timings.stopSeconds * 1000);
        return;
      case "terminate":
        if (record.state === "terminated" || record.state === "shutting-down") return;
        setState(record, "shutting-down", t);
        schedule(record, "terminated", t + timings.terminateSeconds * 1000);
        return;
      case "reboot":
        if (record.state !== "running")
          throw new RangeError(`Cannot reboot ${record.instanceId} in state ${record.state}`);
        record.stateSince = t;
        return;
      default: {
        const unknown: never = action;
        throw new RangeError(`Unknown action ${String(unknown)}`);
      }
    }
  };

  const update = (ref: string, patch: InstancePatch): InstanceRecord => {
    const record = get(ref);
    if (patch.state !== undefined) {
      setState(record, patch.state, now());
      schedule(record, null, null);
    }
    if (patch.action !== undefined) applyAction(record, patch.action);
    if (patch.cpuOverride !== undefined) record.cpuOverride = patch.cpuOverride;
    if (patch.memoryOverride !== undefined) record.memoryOverride = patch.memoryOverride;
    if (patch.agent !== undefined) record.agent = patch.agent;
    if (patch.detailedMonitoring !== undefined) record.detailedMonitoring = patch.detailedMonitoring;
    if (patch.instanceType !== undefined) record.instanceType = patch.instanceType;
    if (patch.instanceStatusOverride !== undefined)
      record.instanceStatusOverride = patch.instanceStatusOverride;
    if (patch.systemStatusOverride !== undefined) record.systemStatusOverride = patch.systemStatusOverride;
    if (patch.cml !== undefined) record.cml = patch.cml;
    if (patch.cmlBootSeconds !== undefined) record.cmlBootSeconds = patch.cmlBootSeconds;
    for (const [key, value] of Object.entries(patch.tags ?? {})) {
      if (value === null) delete record.tags[key];
      else record.tags[key] = value;
    }
    emit("updated", record);
    return record;
  };

  const remove = (ref: string): InstanceRecord => {
    const record = get(ref);
    byId.delete(record.instanceId);
    inTransition.delete(record);
    const list = byRegion.get(record.region) ?? [];
    list.splice(list.indexOf(record), 1);
    if (list.length === 0) byRegion.delete(record.region);
    emit("removed", record);
    return record;
  };

  const statusChecks = (
    record: InstanceRecord,
  ): { instanceStatus: StatusCheckValue; systemStatus: StatusCheckValue } => {
    if (record.state !== "running")
      return { instanceStatus: "not-applicable", systemStatus: "not-applicable" };
    const initializing = now() - record.stateSince < timings.statusInitSeconds * 1000;
    const derived: StatusCheckValue = initializing ? "initializing" : "ok";
    return {
      instanceStatus: record.instanceStatusOverride ?? derived,
      systemStatus: record.systemStatusOverride ?? derived,
    };
  };

  const publicIp = (record: InstanceRecord): string | null =>
    record.state === "running" || record.state === "stopping" || record.state === "shutting-down"
      ? record.assignedPublicIp
      : null;

  const view = (record: InstanceRecord): InstanceView => ({
    instanceId: record.instanceId,
    region: record.region,
    availabilityZone: record.availabilityZone,
    imageId: record.imageId,
    amiName: record.amiName,
    instanceType: record.instanceType,
    privateIpAddress: record.state === "terminated" ? null : record.privateIpAddress,
    publicIpAddress: publicIp(record),
    launchTime: record.launchTime,
    state: record.state,
    stateSince: record.stateSince,
    transitionAt: record.transitionAt,
    tags: { ...record.tags },
    detailedMonitoring: record.detailedMonitoring,
    agent: record.agent,
    cpuOverride: record.cpuOverride,
    memoryOverride: record.memoryOverride,
    ...statusChecks(record),
    cml: record.cml,
    cmlBootSeconds: record.cmlBootSeconds,
    runs: record.runs.map(([start, end]) => [start, end] as const),
  });

  const model: FleetModel = {
    timings,
    workerTagKey,
    now,
    advance,
    instances: (region) => {
      advance();
      if (region !== undefined) return byRegion.get(region) ?? [];
      return [...byId.values()];
    },
    find: (ref) => {
      advance();
      return find(ref);
    },
    get,
    regions: () => [...byRegion.keys()],
    add,
    update,
    remove,
    statusChecks,
    publicIp,
    view,
    onChange: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };

  const generated = generateFleetSpecs({
    seed: options.seed ?? 1,
    workers: options.workers ?? 0,
    untagged: options.untagged ?? 0,
    regions: options.regions ?? ["us-east-1", "eu-west-1"],
    workerTagKey,
    now: now(),
  });
  for (const spec of [...generated, ...(options.instances ?? [])]) add(spec);
  return model;
}
