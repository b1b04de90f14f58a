import { agentDimensions, type Dimension, sameDimensions } from "./agent-dimensions.ts";
import { generateFleetSpecs } from "./generate-fleet.ts";
import { IncorrectInstanceStateError } from "./incorrect-instance-state-error.ts";
import { DEFAULT_REALISM, type RealismModes, type SecondsRange } from "./realism.ts";
import { createSeededRandom, hashString, noise } from "./seeded-random.ts";
import { createSimClock, type SimClock } from "./sim-clock.ts";
import { simulatedPublicIp } from "./simulated-public-ip.ts";
import type {
  AgentConfig,
  CpuChange,
  FleetTimings,
  ImageState,
  InstanceAction,
  InstancePatch,
  InstanceSpec,
  InstanceStateName,
  InstanceView,
  StatusCheckValue,
} from "./types.ts";
import { UnknownImageError } from "./unknown-image-error.ts";
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
  /** Base clock in epoch milliseconds (default `Date.now`); the model's {@link FleetModel.clock} can move ahead of it. */
  now?: () => number;
  timings?: Partial<FleetTimings>;
  /** Realism modes (default: all on, with AWS's figures). */
  realism?: Partial<RealismModes>;
}

/** A state change asked for through the EC2 API (`StartInstances`, `StopInstances`, `TerminateInstances`). */
export type Ec2StateChange = "start" | "stop" | "terminate";

/** The states an EC2 state-change call reports for one instance. */
export interface StateChangeResult {
  previous: InstanceStateName;
  current: InstanceStateName;
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
  /** CPU changes in time order (the recent ones, as for datapoints). */
  cpuChanges: CpuChange[];
  memoryOverride: number | null;
  instanceStatusOverride: StatusCheckValue | null;
  systemStatusOverride: StatusCheckValue | null;
  cml: boolean;
  cmlBootSeconds: number;
  /** When the instance was launched or got the worker tag: EC2's id lookups may miss it for a while after. */
  consistencyFrom: number;
  /** The agent's memory series, oldest first; the last one is open (`to` null) while the agent publishes it. */
  agentSeries: Array<{ dimensions: Dimension[]; from: number; to: number | null }>;
  runs: Array<[number, number | null]>;
}

/** An AMI of a region (read it, change it only through the model). */
export interface ImageRecord {
  imageId: string;
  region: string;
  name: string;
  state: ImageState;
}

/** The simulated fleet: instances in several regions whose state and metrics change over time. */
export interface FleetModel {
  readonly timings: Readonly<FleetTimings>;
  readonly workerTagKey: string;
  /** The model's clock; move it to run minutes or days of simulated time at once. */
  readonly clock: SimClock;
  /** The realism modes in force. */
  readonly realism: Readonly<RealismModes>;
  /** Changes realism modes; returns the modes now in force. */
  setRealism(patch: Partial<RealismModes>): Readonly<RealismModes>;
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
  /**
   * Checks that an EC2 state-change call may act on the instance now, as EC2 does before changing anything.
   * @throws IncorrectInstanceStateError when its state does not allow the change.
   */
  checkStateChange(ref: string, change: Ec2StateChange): void;
  /**
   * Applies an EC2 state-change call the way EC2 does: an instance already in (or on its way to) the target state
   * is left alone and reported as it is; otherwise it enters the intermediate state for a seeded-random time
   * (`ec2TransitionSeconds`).
   * @throws IncorrectInstanceStateError when its state does not allow the change.
   */
  applyStateChange(ref: string, change: Ec2StateChange): StateChangeResult;
  remove(ref: string): InstanceRecord;
  /** Instance and system status checks as DescribeInstanceStatus reports them now. */
  statusChecks(instance: InstanceRecord): {
    instanceStatus: StatusCheckValue;
    systemStatus: StatusCheckValue;
  };
  /** Public IP while running, else null (AWS releases it on stop). */
  publicIp(instance: InstanceRecord): string | null;
  /** Whether EC2 calls naming the instance by id find it now (false right after launch or worker tagging). */
  isConsistent(instance: InstanceRecord): boolean;
  /** AMIs of one region (or all). */
  images(region?: string): readonly ImageRecord[];
  /** One AMI of a region, undefined when the region has none with that id. */
  image(region: string, imageId: string): ImageRecord | undefined;
  /**
   * Deregisters an AMI, stops sharing it, or makes it available again; without `region`, in every region that has it.
   * @throws UnknownImageError when no region has it.
   */
  setImageState(imageId: string, state: ImageState, region?: string): ImageRecord[];
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

/** How long running intervals and closed agent series are kept for datapoints. */
const RUN_HISTORY_MS = 15 * 86_400_000;

/**
 * Creates a fleet model. Deterministic for a given seed and clock.
 * @example
 * const fleet = createFleetModel({ seed: 7, workers: 20, untagged: 1, regions: ["us-east-1", "eu-west-1"] });
 */
export function createFleetModel(options: FleetModelOptions = {}): FleetModel {
  const clock = createSimClock(options.now ?? Date.now);
  const now = clock.now;
  const timings: FleetTimings = { ...DEFAULT_TIMINGS, ...options.timings };
  let realism: RealismModes = { ...DEFAULT_REALISM, ...options.realism };
  const consistencyKey = String(options.seed ?? 1);
  const images = new Map<string, ImageRecord>();
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

  /** Opens a new agent series when the agent's dimension set changed (resize, agent configuration, ASG tag). */
  const followAgent = (record: InstanceRecord, at: number): void => {
    const open = record.agentSeries.at(-1);
    const current = agentDimensions(record);
    if (open && open.to === null) {
      if (current && sameDimensions(open.dimensions, current)) return;
      open.to = at;
    }
    if (current) record.agentSeries.push({ dimensions: current, from: at, to: null });
    while (
      record.agentSeries.length > 1 &&
      (record.agentSeries[0]?.to ?? Number.POSITIVE_INFINITY) < at - RUN_HISTORY_MS
    ) {
      record.agentSeries.shift();
    }
  };

  const registerImage = (record: InstanceRecord): void => {
    const key = `${record.region}/${record.imageId}`;
    if (!images.has(key))
      images.set(key, {
        imageId: record.imageId,
        region: record.region,
        name: record.amiName,
        state: "available",
      });
  };

  const isConsistent = (record: InstanceRecord): boolean => {
    const windowMs = realism.ec2ConsistencySeconds * 1000;
    if (windowMs <= 0) return true;
    const delay = noise(
      hashString(`${consistencyKey}/${record.instanceId}`),
      Math.floor(record.consistencyFrom / 1000),
    );
    return now() >= record.consistencyFrom + Math.floor(delay * windowMs);
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
      agent: spec.agent ?? "instance-image-type",
      cpuOverride: spec.cpuOverride ?? null,
      cpuChanges: [],
      memoryOverride: spec.memoryOverride ?? null,
      instanceStatusOverride: spec.instanceStatusOverride ?? null,
      systemStatusOverride: spec.systemStatusOverride ?? null,
      cml: spec.cml ?? false,
      cmlBootSeconds: spec.cmlBootSeconds ?? 0,
      consistencyFrom: launchTime,
      agentSeries: [],
      runs: [],
    };
    followAgent(record, launchTime);
    registerImage(record);
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

  /** Seconds an intermediate state lasts: seeded per instance and call time, within the realism range. */
  const transitionMs = (record: InstanceRecord, range: SecondsRange, t: number): number => {
    const [min, max] = range;
    const draw = noise(hashString(`${consistencyKey}/${record.instanceId}/transition`), Math.floor(t / 1000));
    return (min + Math.floor(draw * (max - min + 1))) * 1000;
  };

  /** What an EC2 state-change call does from the current state: nothing (null), a transition, or a refusal. */
  const plannedChange = (
    record: InstanceRecord,
    change: Ec2StateChange,
  ): { to: InstanceStateName; range: SecondsRange; settlesTo: InstanceStateName } | null => {
    const state = record.state;
    const ranges = realism.ec2TransitionSeconds;
    switch (change) {
      case "start":
        if (state === "pending" || state === "running") return null;
        if (state === "stopped") return { to: "pending", range: ranges.pending, settlesTo: "running" };
        throw new IncorrectInstanceStateError(
          record.instanceId,
          state,
          `The instance '${record.instanceId}' is not in a state from which it can be started.`,
        );
      case "stop":
        if (state === "stopping" || state === "stopped") return null;
        if (state === "running") return { to: "stopping", range: ranges.stopping, settlesTo: "stopped" };
        throw new IncorrectInstanceStateError(
          record.instanceId,
          state,
          `This instance '${record.instanceId}' is not in a state from which it can be stopped.`,
        );
      case "terminate":
        if (state === "shutting-down" || state === "terminated") return null;
        return { to: "shutting-down", range: ranges.shuttingDown, settlesTo: "terminated" };
      default: {
        const unknown: never = change;
        throw new RangeError(`Unknown state change ${String(unknown)}`);
      }
    }
  };

  const applyStateChange = (ref: string, change: Ec2StateChange): StateChangeResult => {
    const record = get(ref);
    const previous = record.state;
    const planned = plannedChange(record, change);
    if (planned === null) return { previous, current: previous };
    const t = now();
    setState(record, planned.to, t);
    schedule(record, planned.settlesTo, t + transitionMs(record, planned.range, t));
    emit("updated", record);
    return { previous, current: record.state };
  };

  const update = (ref: string, patch: InstancePatch): InstanceRecord => {
    const record = get(ref);
    if (patch.state !== undefined) {
      setState(record, patch.state, now());
      schedule(record, null, null);
    }
    if (patch.action !== undefined) applyAction(record, patch.action);
    if (patch.cpuOverride !== undefined) record.cpuOverride = patch.cpuOverride;
    if (patch.cpuChange !== undefined) {
      const t = now();
      record.cpuChanges.push({ at: t, value: patch.cpuChange });
      while (record.cpuChanges.length > 1 && (record.cpuChanges[1]?.at ?? t) < t - RUN_HISTORY_MS)
        record.cpuChanges.shift();
    }
    if (patch.memoryOverride !== undefined) record.memoryOverride = patch.memoryOverride;
    if (patch.agent !== undefined) record.agent = patch.agent;
    if (patch.detailedMonitoring !== undefined) record.detailedMonitoring = patch.detailedMonitoring;
    if (patch.instanceType !== undefined) record.instanceType = patch.instanceType;
    if (patch.instanceStatusOverride !== undefined)
      record.instanceStatusOverride = patch.instanceStatusOverride;
    if (patch.systemStatusOverride !== undefined) record.systemStatusOverride = patch.systemStatusOverride;
    if (patch.cml !== undefined) record.cml = patch.cml;
    if (patch.cmlBootSeconds !== undefined) record.cmlBootSeconds = patch.cmlBootSeconds;
    const workerTagBefore = record.tags[workerTagKey];
    for (const [key, value] of Object.entries(patch.tags ?? {})) {
      if (value === null) delete record.tags[key];
      else record.tags[key] = value;
    }
    const t = now();
    // A newly set worker tag is a fresh tagging: EC2's id lookups may lag behind it like after a launch.
    if (record.tags[workerTagKey] !== undefined && record.tags[workerTagKey] !== workerTagBefore)
      record.consistencyFrom = t;
    followAgent(record, t);
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
    cpuChanges: record.cpuChanges.map((change) => ({ ...change })),
    memoryOverride: record.memoryOverride,
    ...statusChecks(record),
    cml: record.cml,
    cmlBootSeconds: record.cmlBootSeconds,
    consistent: isConsistent(record),
    agentSeries: record.agentSeries.map((series) => ({
      dimensions: series.dimensions.map((d) => ({ ...d })),
      from: series.from,
      to: series.to,
    })),
    runs: record.runs.map(([start, end]) => [start, end] as const),
  });

  const imagesOf = (region?: string): ImageRecord[] =>
    [...images.values()].filter((image) => region === undefined || image.region === region);

  const model: FleetModel = {
    timings,
    workerTagKey,
    clock,
    get realism() {
      return realism;
    },
    setRealism: (patch) => {
      realism = { ...realism, ...patch };
      return realism;
    },
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
    checkStateChange: (ref, change) => {
      plannedChange(get(ref), change);
    },
    applyStateChange,
    remove,
    statusChecks,
    publicIp,
    isConsistent,
    images: imagesOf,
    image: (region, imageId) => images.get(`${region}/${imageId}`),
    setImageState: (imageId, state, region) => {
      const matching = imagesOf(region).filter((image) => image.imageId === imageId);
      if (matching.length === 0) throw new UnknownImageError(imageId);
      for (const image of matching) image.state = state;
      return matching;
    },
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
