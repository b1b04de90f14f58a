import { mkdirSync, readdirSync, statSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { workerIdOf } from "@cml-telemetry/contracts";
import { SERVICE_NAMES } from "@cml-telemetry/launcher";
import { type RunningSystem, simControl, startSystem } from "@cml-telemetry/testing";
import { type RefreshOutcome, runRefreshes, startListLoad } from "./api-load.ts";
import { makeFreshnessChanges, pickFreshnessSample } from "./freshness-changes.ts";
import { createFreshnessTracker, FRESHNESS_SOURCES, type FreshnessSource } from "./freshness-tracker.ts";
import type { SystemBenchOptions } from "./options.ts";
import { percentile, rounded } from "./percentile.ts";
import { loadAverage } from "./proc-stats.ts";
import { type MeasuredProcess, startResourceSampler } from "./resource-sampler.ts";
import { type SimInstance, simClockOffsetMs } from "./sim-control.ts";
import { openSseFeed, type SseFeed } from "./sse-feed.ts";
import { startStreamGrowth } from "./stream-growth.ts";

/** The simulated fleet's labs: one worker in 4 has labs, each of those 8 labs of which 2 run. */
export const LAB_PROFILE = { oneIn: 4, count: 8, running: 2 } as const;
const WORKER_TAG = "cml:worker";
const REFRESH_WAIT_SECONDS = 10;
const LIST_EVERY_MS = 200;
/** The measured window opens this long before a slot starts, so the slot's first work is inside it. */
const SLOT_LEAD_MS = 2_000;
/** The share of RUNNING workers every source must have reported before the measured cycles start. */
const WARM_UP_COVERAGE = 0.95;
const FEED_EVENTS = [
  "status_changed",
  "ec2_metrics_updated",
  "cloudwatch_metrics_updated",
  "cml_metrics_updated",
];
const COVERAGE_EVENTS = {
  ec2: "ec2_metrics_updated",
  cloudwatch: "cloudwatch_metrics_updated",
  cml: "cml_metrics_updated",
} as const;

/** The result line of one fleet size. */
export type SystemBenchLine = Record<string, unknown> & { bench: "system"; workers: number };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
const log = (text: string) =>
  process.stderr.write(`[system ${new Date().toISOString().slice(11, 19)}] ${text}\n`);

async function until<T>(
  what: string,
  timeoutMs: number,
  everyMs: number,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await sleep(everyMs);
  }
}

interface FleetSummary {
  workers: { total: number; by_status: Record<string, number> };
}

/** Figures of a list of samples: percentiles rounded, or null when there are none. */
function summarize(values: readonly number[], digits = 1) {
  return { p50: rounded(percentile(values, 50), digits), p95: rounded(percentile(values, 95), digits) };
}

/** Node options that make a service write a CPU profile on exit and a heap snapshot on SIGUSR2 into `dir`. */
function profilingNodeOptions(dir: string): string {
  return `--cpu-prof --cpu-prof-dir=${dir} --heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${dir}`;
}

/** Asks every service for a heap snapshot and waits until the files stop growing (at most 2 minutes). */
async function takeHeapSnapshots(dir: string, pids: readonly number[]): Promise<void> {
  for (const pid of pids) process.kill(pid, "SIGUSR2");
  const sizes = () =>
    readdirSync(dir)
      .filter((file) => file.endsWith(".heapsnapshot"))
      .map((file) => statSync(join(dir, file)).size);
  let last = "";
  await until("heap snapshots", 120_000, 2_000, async () => {
    const now = sizes();
    const key = now.join(",");
    const done = now.length >= pids.length && key === last;
    last = key;
    return done ? true : undefined;
  });
}

/**
 * Runs the whole system for one fleet size: nats-server, the fleet simulator and every service of the launcher's
 * list as processes (under the loopback guard), at `intervalSeconds` for every source. After the fleet is listed and
 * a warm-up cycle in which every source reported (almost) every RUNNING worker, it measures `cycles` cycles: CPU and
 * RSS per process from /proc (the simulator and nats-server apart from the services), `GET /workers?limit=200` every
 * 200 ms, `refreshes` refresh?wait calls, and the freshness of changes made in the simulator, seen on the SSE feed.
 */
export async function runFleetSize(
  workers: number,
  options: SystemBenchOptions,
  register: (stop: () => Promise<void>) => void,
): Promise<SystemBenchLine> {
  const interval = options.intervalSeconds;
  const profileDir =
    options.profileDir === undefined ? undefined : resolve(options.profileDir, String(workers));
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  log(`${workers} workers: starting nats-server, the fleet simulator and ${SERVICE_NAMES.length} services`);
  const system: RunningSystem = await startSystem({
    env: {
      COLLECT_INTERVAL_EC2_SECONDS: String(interval),
      COLLECT_INTERVAL_CLOUDWATCH_SECONDS: String(interval),
      COLLECT_INTERVAL_CML_SECONDS: String(interval),
      ...(profileDir ? { NODE_OPTIONS: profilingNodeOptions(profileDir) } : {}),
    },
    simEnv: {
      FLEET_SIM_WORKERS: String(workers),
      FLEET_SIM_CHURN_SECONDS: "0",
      FLEET_SIM_LABS_ONE_IN: String(LAB_PROFILE.oneIn),
      FLEET_SIM_LABS_PER_WORKER: String(LAB_PROFILE.count),
      FLEET_SIM_RUNNING_LABS_PER_WORKER: String(LAB_PROFILE.running),
    },
    readyTimeoutMs: 180_000,
  });
  let feed: SseFeed | undefined;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    feed?.close();
    await system.stop();
  };
  register(stop);
  try {
    const measured: MeasuredProcess[] = [
      ...system.processes().map((managed) => ({
        name: managed.name,
        pid: managed.child.pid as number,
        group: managed.name === "fleet-sim" ? ("simulator" as const) : ("service" as const),
      })),
      { name: "nats-server", pid: system.natsPid, group: "nats" as const },
    ];
    const clockOffsetMs = await simClockOffsetMs(system.simUrl);
    const tracker = createFreshnessTracker(clockOffsetMs);
    const coverage = new Map<string, Set<string>>(FEED_EVENTS.map((name) => [name, new Set()]));
    // When in its slot each metrics update arrived (s after the slot started): how long a cycle's collection lasts.
    const slotOffsets = { ec2: [] as number[], cloudwatch: [] as number[], cml: [] as number[] };
    let recordOffsets = false;
    // How long each refresh took to reach each source's update (ms), by its correlation id.
    const refreshSent = new Map<string, number>();
    const refreshBySource = { ec2: [] as number[], cloudwatch: [] as number[], cml: [] as number[] };
    const refreshSeen = new Set<string>();
    feed = await openSseFeed(system.apiUrl, FEED_EVENTS, (event) => {
      coverage.get(event.name)?.add(event.workerId);
      tracker.onEvent(event);
      const sentAt = event.correlationId === undefined ? undefined : refreshSent.get(event.correlationId);
      if (sentAt !== undefined) {
        const source =
          event.name === "source_failed"
            ? (event.data.source as FreshnessSource)
            : FRESHNESS_SOURCES.find((candidate) => COVERAGE_EVENTS[candidate] === event.name);
        const key = `${event.correlationId}/${source}`;
        if (source && !refreshSeen.has(key)) {
          refreshSeen.add(key);
          refreshBySource[source]?.push(event.receivedAt - sentAt);
        }
      }
      if (!recordOffsets) return;
      const source = FRESHNESS_SOURCES.find((candidate) => COVERAGE_EVENTS[candidate] === event.name);
      if (source) slotOffsets[source].push(((event.receivedAt + clockOffsetMs) % (interval * 1000)) / 1000);
    });

    const summary = await until("the API to list every worker", 600_000, 2_000, async () => {
      const response = await fetch(`${system.apiUrl}/api/v1/fleet/summary`);
      const body = (await response.json()) as FleetSummary;
      return body.workers.total >= workers ? body : undefined;
    });
    const running = summary.workers.by_status.RUNNING ?? 0;
    log(`${workers} workers listed (${running} RUNNING); warm-up until every source reported them`);
    const warmUpStarted = Date.now();
    const warmedUp = await until(
      `warm-up (every source, ${WARM_UP_COVERAGE * 100} % of RUNNING)`,
      4 * interval * 1000,
      1_000,
      async () =>
        Object.values(COVERAGE_EVENTS).every(
          (name) => (coverage.get(name)?.size ?? 0) >= WARM_UP_COVERAGE * running,
        )
          ? true
          : undefined,
    ).catch((error: unknown) => {
      log(`${(error as Error).message}; measuring anyway`);
      return false;
    });
    const fleet = await simControl<{ instances: SimInstance[] }>(system.simUrl, "/fleet");
    const sample = pickFreshnessSample(fleet.instances, WORKER_TAG, options.changes, workers);
    const refreshable = fleet.instances
      .filter(
        (instance) =>
          instance.tags[WORKER_TAG] !== undefined &&
          instance.state === "running" &&
          instance.cmlServer?.spec.mode === "up" &&
          !sample.workerIds.has(workerIdOf(instance.region, instance.instanceId)),
      )
      .map((instance) => workerIdOf(instance.region, instance.instanceId));
    const refreshIds = refreshable
      .filter((_, index) => index % Math.max(1, Math.floor(refreshable.length / options.refreshes)) === 0)
      .slice(0, options.refreshes);

    // The measured cycles start with a slot (slots are aligned to the epoch), at least 10 s after every source
    // reported, so the start-up collections are done and each measured cycle holds one slot's work.
    const intervalMs = interval * 1000;
    const firstSlot = Math.ceil((Date.now() + 10_000) / intervalMs) * intervalMs;
    await sleep(firstSlot - SLOT_LEAD_MS - Date.now());
    const warmUpSeconds = Math.round((Date.now() - warmUpStarted) / 1000);

    const windowMs = options.cycles * interval * 1000;
    // Changes leave the last cycle (at least one interval) for their effect to show.
    const spreadMs = Math.max(interval * 1000, windowMs - interval * 1000);
    log(
      `measuring ${options.cycles} cycle(s) of ${interval} s: ${options.changes} changes, ${refreshIds.length} refreshes`,
    );
    const streamGrowth = await startStreamGrowth(system.natsUrl);
    const windowStart = Date.now();
    recordOffsets = true;
    const sampler = startResourceSampler(measured);
    const list = startListLoad(system.apiUrl, LIST_EVERY_MS);
    const changeErrors: string[] = [];
    const changes = makeFreshnessChanges({
      simUrl: system.simUrl,
      sample,
      tracker,
      clockOffsetMs,
      startAt: windowStart,
      spreadMs,
      restartAfterMs: 2 * interval * 1000,
      onError: (error) => changeErrors.push(error.message),
    });
    const refreshes = runRefreshes({
      apiUrl: system.apiUrl,
      workerIds: refreshIds,
      startAt: windowStart + 1_000,
      spreadMs: spreadMs,
      waitSeconds: REFRESH_WAIT_SECONDS,
      onSent: (requestId, at) => refreshSent.set(requestId, at),
    });
    await sleep(windowStart + windowMs - Date.now());
    const usage = sampler.stop();
    recordOffsets = false;
    const growth = await streamGrowth();
    const load = loadAverage();
    const listed = await list.stop();
    const refreshed: RefreshOutcome[] = await refreshes;
    await changes;
    if (changeErrors.length > 0) log(`${changeErrors.length} change(s) failed, first: ${changeErrors[0]}`);
    // Each change may take one collection (and processing) after it could first be seen: a CPU datapoint becomes
    // available up to 3 minutes after the change, an instance is started again 30 s after its stop.
    const latestFrom = (tracker.latestFrom() ?? Date.now() + clockOffsetMs) - clockOffsetMs;
    await tracker.settle(Math.max(Date.now(), latestFrom) + (interval + 30) * 1000);
    if (profileDir)
      await takeHeapSnapshots(
        profileDir,
        measured.filter((p) => p.group === "service").map((p) => p.pid),
      );

    const guard = system.loopbackGuard();
    if (guard.blocked.length > 0) {
      throw new Error(
        `the loopback guard refused ${guard.blocked.length} connection(s) leaving 127.0.0.0/8, first to ${guard.blocked[0]?.host}`,
      );
    }
    const freshness = tracker.results();
    for (const change of tracker.unseen().slice(0, 10)) {
      log(
        `not seen: ${change.source} ${change.workerId} ${change.what} (from ${new Date(change.from).toISOString()})`,
      );
    }
    const services = measured.filter((process) => process.group === "service").map((process) => process.name);
    const perSource = <T>(pick: (source: FreshnessSource) => T) =>
      Object.fromEntries(FRESHNESS_SOURCES.map((source) => [source, pick(source)])) as Record<
        FreshnessSource,
        T
      >;
    const refreshMs = refreshed.map((outcome) => outcome.ms);
    return {
      bench: "system",
      workers,
      cycles: options.cycles,
      intervalSeconds: interval,
      measuredSeconds: rounded(usage.seconds, 0),
      serviceCpuCores: rounded(usage.groups.service.cpuCores, 3),
      perServiceCpuCores: Object.fromEntries(
        services.map((name) => [name, rounded(usage.cpuCores[name], 3)]),
      ),
      simulatorCpuCores: rounded(usage.groups.simulator.cpuCores, 3),
      natsCpuCores: rounded(usage.groups.nats.cpuCores, 3),
      rssMbTotal: rounded(usage.groups.service.rssMbMax, 0),
      pssMbTotal: rounded(usage.groups.service.pssMbMax, 0),
      perServiceRssMb: Object.fromEntries(services.map((name) => [name, rounded(usage.rssMbMax[name], 0)])),
      natsRssMb: rounded(usage.groups.nats.rssMbMax, 0),
      simulatorRssMb: rounded(usage.groups.simulator.rssMbMax, 0),
      freshnessP95Seconds: perSource((source) => summarize(freshness.seconds[source]).p95),
      freshnessP50Seconds: perSource((source) => summarize(freshness.seconds[source]).p50),
      freshnessSamples: perSource((source) => freshness.seconds[source].length),
      freshnessMissed: perSource((source) => freshness.missed[source]),
      collectionSpreadP95Seconds: perSource((source) => summarize(slotOffsets[source]).p95),
      refreshWaitP95Ms: rounded(percentile(refreshMs, 95), 0),
      refreshWaitP50Ms: rounded(percentile(refreshMs, 50), 0),
      refreshSourceP95Ms: perSource((source) => rounded(percentile(refreshBySource[source], 95), 0)),
      refreshes: refreshed.length,
      refreshesNotDone: refreshed.filter((outcome) => outcome.status !== 200).length,
      apiListP99Ms: rounded(percentile(listed.latenciesMs, 99), 1),
      apiListP50Ms: rounded(percentile(listed.latenciesMs, 50), 1),
      apiListRequests: listed.latenciesMs.length,
      apiListFailures: listed.failures,
      ...growth,
      labs: `1 in ${LAB_PROFILE.oneIn} workers has ${LAB_PROFILE.count} labs, ${LAB_PROFILE.running} running`,
      warmUpSeconds,
      warmedUp,
      changeErrors: changeErrors.length,
      loadAverage: load,
      measuredAt: new Date().toISOString(),
      machine: {
        cpus: cpus().length,
        model: cpus()[0]?.model.trim() ?? "unknown",
        memoryGb: Math.round(totalmem() / 1024 ** 3),
      },
      nodeVersion: process.version,
    };
  } finally {
    await stop();
  }
}
