import { workerIdOf } from "@cml-telemetry/contracts";
import { SimControlError, simControl } from "@cml-telemetry/testing";
import type { ExpectedChange, FreshnessTracker } from "./freshness-tracker.ts";
import type { SimInstance, SimLab } from "./sim-control.ts";

/** The workers whose changes measure freshness, per source (disjoint: a stopped worker reports no CML or CPU). */
export interface FreshnessSample {
  /** A lab of each starts or stops. */
  readonly cml: readonly SimInstance[];
  /** Each one's CPU changes (detailed monitoring, so a new datapoint every minute). */
  readonly cloudwatch: readonly SimInstance[];
  /** Each instance stops, then starts again once stopped: two changes each. */
  readonly ec2: readonly SimInstance[];
  /** Every worker id in the sample. */
  readonly workerIds: ReadonlySet<string>;
}

/** A deterministic shuffle (mulberry32), so the same fleet size picks the same workers. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

/**
 * Picks the workers to change: running, tagged, found by EC2 and with a healthy controller; `changes` split about
 * evenly over the three sources (an ec2 worker counts twice: it stops and starts).
 */
export function pickFreshnessSample(
  instances: readonly SimInstance[],
  workerTagKey: string,
  changes: number,
  seed: number,
): FreshnessSample {
  const healthy = shuffled(
    instances.filter(
      (instance) =>
        instance.tags[workerTagKey] !== undefined &&
        instance.state === "running" &&
        instance.consistent &&
        instance.cmlServer?.spec.mode === "up",
    ),
    seed,
  );
  const perSource = Math.ceil(changes / 3);
  const cml = healthy
    .filter((instance) => (instance.cmlServer?.spec.labs.length ?? 0) > 0)
    .slice(0, perSource);
  const taken = new Set(cml.map((instance) => instance.instanceId));
  const cloudwatch = healthy
    .filter((instance) => instance.detailedMonitoring && !taken.has(instance.instanceId))
    .slice(0, perSource);
  for (const instance of cloudwatch) taken.add(instance.instanceId);
  const ec2 = healthy
    .filter((instance) => !taken.has(instance.instanceId))
    .slice(0, Math.ceil(perSource / 2));
  if (cml.length < perSource || cloudwatch.length < perSource || ec2.length < Math.ceil(perSource / 2)) {
    throw new Error(
      `the fleet has too few healthy workers for ${changes} changes (labs: ${cml.length}, detailed monitoring: ${cloudwatch.length}, others: ${ec2.length})`,
    );
  }
  const workerIds = new Set(
    [...cml, ...cloudwatch, ...ec2].map((instance) => workerIdOf(instance.region, instance.instanceId)),
  );
  return { cml, cloudwatch, ec2, workerIds };
}

const sleepUntil = (at: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));

/** What a lab change does: one lab of the worker starts (none running) or stops; the running count after it. */
function toggledLabs(labs: readonly SimLab[], startOne: boolean): { labs: SimLab[]; running: number } {
  const running = labs.filter((lab) => lab.state === "STARTED").length;
  const index = startOne
    ? labs.findIndex((lab) => lab.state !== "STARTED")
    : labs.findIndex((lab) => lab.state === "STARTED");
  if (index < 0) return toggledLabs(labs, !startOne);
  const next = labs.map((lab, position) =>
    position === index ? { ...lab, state: lab.state === "STARTED" ? "STOPPED" : "STARTED" } : { ...lab },
  );
  return { labs: next, running: running + (next[index]?.state === "STARTED" ? 1 : -1) };
}

/**
 * Makes the sample's changes in the simulator, spread evenly from `startAt` over `spreadMs` (epoch ms of this
 * process), and tells the tracker when each could first be seen (the simulator's `appliedAt`, or for CPU the
 * datapoint's `visibleAt`). An ec2 worker is started again once its stop showed and the simulator has it stopped.
 */
export async function makeFreshnessChanges(options: {
  simUrl: string;
  sample: FreshnessSample;
  tracker: FreshnessTracker;
  clockOffsetMs: number;
  startAt: number;
  spreadMs: number;
  /** Longest wait for a stop to show before the instance is started again anyway. */
  restartAfterMs: number;
  onError: (error: Error) => void;
}): Promise<void> {
  const { simUrl, sample, tracker } = options;
  const idOf = (instance: SimInstance) => workerIdOf(instance.region, instance.instanceId);
  const actions: Array<() => Promise<void>> = [];
  const restarts: Array<Promise<void>> = [];
  const longest = Math.max(sample.cml.length, sample.cloudwatch.length, sample.ec2.length);
  for (let index = 0; index < longest; index++) {
    const lab = sample.cml[index];
    if (lab)
      actions.push(async () => {
        const { labs, running } = toggledLabs(lab.cmlServer?.spec.labs ?? [], index % 2 === 0);
        const { appliedAt } = await simControl<{ appliedAt: number }>(
          simUrl,
          `/instances/${lab.instanceId}/cml`,
          "PATCH",
          { labs },
        );
        tracker.expect({
          source: "cml",
          workerId: idOf(lab),
          what: `running labs → ${running}`,
          from: appliedAt,
          matches: (event) => event.name === "cml_metrics_updated" && event.data.runningLabsCount === running,
        });
      });
    const cpu = sample.cloudwatch[index];
    if (cpu)
      actions.push(async () => {
        // Above anything the simulator generates (at most ~80 %), and different per worker.
        const value = Math.round((90 + (index % 90) / 10) * 100) / 100;
        const { cpuChangeVisibility } = await simControl<{
          cpuChangeVisibility: { periodStart: number; visibleAt: number };
        }>(simUrl, `/instances/${cpu.instanceId}`, "PATCH", { cpuChange: value });
        tracker.expect({
          source: "cloudwatch",
          workerId: idOf(cpu),
          what: `CPU → ${value} %`,
          from: cpuChangeVisibility.visibleAt,
          matches: (event) =>
            event.name === "cloudwatch_metrics_updated" && event.data.cpuUtilization === value,
        });
      });
    const instance = sample.ec2[index];
    if (instance)
      actions.push(async () => {
        const stopped = await simControl<{ appliedAt: number; transitionAt: number }>(
          simUrl,
          `/instances/${instance.instanceId}`,
          "PATCH",
          { action: "stop" },
        );
        const stop: ExpectedChange = {
          source: "ec2",
          workerId: idOf(instance),
          what: "stopped",
          from: stopped.appliedAt,
          matches: (event) =>
            event.name === "status_changed" &&
            (event.data.newStatus === "STOPPING" || event.data.newStatus === "STOPPED"),
        };
        tracker.expect(stop);
        // Started again once the API showed the stop (a stop shorter than a collection interval is never seen) and
        // the instance is stopped, after a pause of its own: the stop showed at a collection, and a start right
        // after one would always wait a whole interval for the next.
        const pauseMs = ((index * 0.618_034) % 1) * options.restartAfterMs * 0.5;
        restarts.push(
          tracker
            .whenSeen(stop, options.restartAfterMs)
            .then(() =>
              startAgain(
                instance,
                Math.max(Date.now() + pauseMs, stopped.transitionAt - options.clockOffsetMs + 500),
              ),
            ),
        );
      });
  }

  const startAgain = async (instance: SimInstance, at: number): Promise<void> => {
    await sleepUntil(at);
    for (let attempt = 0; ; attempt++) {
      try {
        const started = await simControl<{ appliedAt: number }>(
          simUrl,
          `/instances/${instance.instanceId}`,
          "PATCH",
          { action: "start" },
        );
        tracker.expect({
          source: "ec2",
          workerId: idOf(instance),
          what: "started",
          from: started.appliedAt,
          matches: (event) =>
            event.name === "status_changed" &&
            (event.data.newStatus === "PENDING" || event.data.newStatus === "RUNNING"),
        });
        return;
      } catch (error) {
        // Still stopping (the simulator applies the transition at its next look): try again shortly.
        if (!(error instanceof SimControlError) || error.status !== 400 || attempt >= 20) throw error;
        await sleepUntil(Date.now() + 500);
      }
    }
  };

  const step = options.spreadMs / Math.max(1, actions.length);
  await Promise.all(
    actions.map(async (action, index) => {
      await sleepUntil(options.startAt + (index + 0.5) * step);
      await action().catch((error: unknown) => options.onError(error as Error));
    }),
  );
  await Promise.all(
    restarts.map((restart) => restart.catch((error: unknown) => options.onError(error as Error))),
  );
}
