import type { CmlServerMode, CmlServerPool, CmlServerSpec } from "../cml/index.ts";
import { CML_SERVER_MODES, generateCmlLabs } from "../cml/index.ts";
import type { CmlControl } from "../control/cml-control.ts";
import type { FleetModel, InstanceRecord } from "../model/fleet-model.ts";
import { hashString } from "../model/seeded-random.ts";

/** Tag holding the HTTPS endpoint of an instance's simulated CML server. */
export const CML_ENDPOINT_TAG = "cml:endpoint";

/** Keeps the CML server pool in step with the fleet: one server per CML instance, its mode following the instance state. */
export interface CmlFleetBinding extends CmlControl {
  /** Starts servers for the current CML instances and follows later changes. */
  start(): Promise<void>;
  /** Re-evaluates every server's mode (boot windows end with time, not with an event). */
  sync(): Promise<void>;
  /** Waits until queued server starts and stops are done. */
  idle(): Promise<void>;
  stop(): void;
}

/** Options of {@link bindCmlToFleet}. */
export interface CmlFleetBindingOptions {
  fleet: FleetModel;
  pool: CmlServerPool;
  /** At most this many CML servers (each is a port); instances beyond it get none. */
  maxServers?: number;
  /** Applied to every server it starts, over the per-instance defaults. */
  spec?: Partial<CmlServerSpec> | undefined;
  /** Which controllers have labs, and how many (default: a varied 0–5 labs per controller). */
  labs?: CmlLabProfile | undefined;
  onError?: (error: unknown, instanceId: string) => void;
}

/**
 * A fleet's labs: one controller in `oneIn` has `count` labs of which `running` are started; the others have none.
 * Which controllers have labs is decided by their instance id (the same fleet seed gives the same ones).
 */
export interface CmlLabProfile {
  readonly oneIn: number;
  readonly count: number;
  readonly running: number;
}

/**
 * Binds a CML server pool to a fleet: instances with `cml` get a server and the `cml:endpoint` tag;
 * a pending instance's server is `booting` (also for `cmlBootSeconds` after it starts running),
 * a stopping/stopped/terminated instance's server is `down`, otherwise it runs in the mode chosen
 * through the control API (default `up`).
 */
export function bindCmlToFleet(options: CmlFleetBindingOptions): CmlFleetBinding {
  const { fleet, pool } = options;
  const maxServers = options.maxServers ?? Number.POSITIVE_INFINITY;
  const chosenMode = new Map<string, CmlServerMode>();
  const servers = new Set<string>();
  // Mode last sent to each server, so periodic syncs only touch servers whose mode must change.
  const appliedMode = new Map<string, CmlServerMode>();
  let queue: Promise<void> = Promise.resolve();
  let unsubscribe: (() => void) | undefined;

  const enqueue = (instanceId: string, task: () => Promise<void>): Promise<void> => {
    queue = queue.then(task).catch((error: unknown) => options.onError?.(error, instanceId));
    return queue;
  };

  const modeFor = (instance: InstanceRecord): CmlServerMode => {
    switch (instance.state) {
      case "pending":
        return "booting";
      case "running":
        return fleet.now() < instance.stateSince + instance.cmlBootSeconds * 1000
          ? "booting"
          : (chosenMode.get(instance.instanceId) ?? "up");
      default:
        return "down";
    }
  };

  const reconcile = async (instanceId: string): Promise<void> => {
    const instance = fleet.find(instanceId);
    const wanted = instance?.cml === true && instance.state !== "terminated";
    if (!wanted) {
      if (!servers.has(instanceId)) return;
      servers.delete(instanceId);
      appliedMode.delete(instanceId);
      await pool.remove(instanceId);
      if (instance && CML_ENDPOINT_TAG in instance.tags)
        fleet.update(instanceId, { tags: { [CML_ENDPOINT_TAG]: null } });
      return;
    }
    const mode = modeFor(instance);
    if (!servers.has(instanceId)) {
      if (servers.size >= maxServers) return;
      servers.add(instanceId);
      appliedMode.set(instanceId, mode);
      const { endpoint } = await pool.add(instanceId, {
        ...initialSpec(instance, options.labs),
        ...options.spec,
        mode,
      });
      fleet.update(instanceId, { tags: { [CML_ENDPOINT_TAG]: endpoint } });
      return;
    }
    if (appliedMode.get(instanceId) !== mode) {
      pool.update(instanceId, { mode });
      appliedMode.set(instanceId, mode);
    }
  };

  const sync = (): Promise<void> => {
    for (const instance of fleet.instances()) {
      const id = instance.instanceId;
      const wanted = instance.cml && instance.state !== "terminated";
      const missing = !servers.has(id) && servers.size < maxServers;
      const stale = wanted
        ? missing || (servers.has(id) && appliedMode.get(id) !== modeFor(instance))
        : servers.has(id);
      if (stale) void enqueue(id, () => reconcile(id));
    }
    for (const id of servers) if (!fleet.find(id)) void enqueue(id, () => reconcile(id));
    return queue;
  };

  const describe = (instance: InstanceRecord): unknown => {
    const spec = pool.get(instance.instanceId);
    if (!spec) return undefined;
    return {
      endpoint: instance.tags[CML_ENDPOINT_TAG] ?? null,
      chosenMode: chosenMode.get(instance.instanceId) ?? "up",
      spec,
      calls: pool.calls(instance.instanceId),
    };
  };

  return {
    start: () => {
      unsubscribe = fleet.onChange((change) => {
        const id = change.instance.instanceId;
        void enqueue(id, () => reconcile(id));
      });
      return sync();
    },
    sync,
    idle: async () => {
      let current: Promise<void>;
      do {
        current = queue;
        await current;
      } while (current !== queue);
    },
    stop: () => unsubscribe?.(),
    describe,
    update: async (instance, patch) => {
      const { mode, ...rest } = patch;
      if (mode !== undefined) {
        if (typeof mode !== "string" || !isMode(mode))
          throw new RangeError(`Unknown CML mode ${String(mode)}`);
        chosenMode.set(instance.instanceId, mode);
      }
      await enqueue(instance.instanceId, () => reconcile(instance.instanceId));
      if (!pool.get(instance.instanceId))
        throw new RangeError(`Instance ${instance.instanceId} has no CML server`);
      if (Object.keys(rest).length > 0) pool.update(instance.instanceId, rest as Partial<CmlServerSpec>);
      return describe(instance);
    },
    calls: () => pool.calls(),
    resetCalls: () => pool.resetCalls(),
  };
}

function isMode(value: string): value is CmlServerMode {
  return (CML_SERVER_MODES as readonly string[]).includes(value);
}

/**
 * A per-instance controller: version from the AMI name, a deterministic set of labs (some idle workers), or the
 * labs of the profile when one is given.
 */
function initialSpec(instance: InstanceRecord, profile: CmlLabProfile | undefined): Partial<CmlServerSpec> {
  const key = hashString(instance.instanceId);
  const version = /cml-(\d+\.\d+\.\d+)/.exec(instance.amiName)?.[1] ?? "2.9.1";
  const hasLabs = profile === undefined || (key >>> 12) % Math.max(1, profile.oneIn) === 0;
  const count = !hasLabs ? 0 : (profile?.count ?? key % 6);
  const started = Math.min(count, profile?.running ?? (key >>> 8) % 3);
  return {
    version: `${version}+build.${(key >>> 4) % 40}`,
    variant: version === "2.9.0" ? "2.9.0" : "2.9.1",
    labs: generateCmlLabs({ count, started, seed: instance.instanceId }),
    runningNodes: started * 5,
  };
}
