import type { MetricSample, Source } from "../types.ts";

let nextId = 0;

/** A valid sample with a fresh event id; override anything. `at` may be a Date or an ISO string. */
export function buildSample(
  at: Date | string,
  source: Source,
  fields: Omit<Partial<MetricSample>, "timestamp" | "meta"> & { workerId?: string; region?: string } = {},
): MetricSample {
  const { workerId = "worker-a", region = "us-east-1", id, ...values } = fields;
  nextId++;
  return {
    id: id ?? `event-${nextId}`,
    timestamp: typeof at === "string" ? new Date(at) : at,
    meta: { workerId, region, source },
    ...values,
  };
}

/** Options of {@link generateFleetSamples}. */
export type FleetLoad = {
  workers: number;
  /** Start of the generated history. */
  from: Date;
  /** Length of the history in days. */
  days: number;
  /** Seconds between two samples of one series. */
  stepSeconds: number;
};

/**
 * Realistic samples for a fleet: per worker, every step, one `ec2` status sample, one `cloudwatch` CPU/memory
 * sample and one `cml` sample, with deterministic pseudo-random values. Yields one batch per time step.
 */
export function* generateFleetSamples(load: FleetLoad): Generator<MetricSample[]> {
  const steps = Math.floor((load.days * 86_400) / load.stepSeconds);
  const workerIds = Array.from({ length: load.workers }, (_, w) => `worker-${String(w).padStart(4, "0")}`);
  let seed = 42;
  const random = (): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  for (let step = 0; step < steps; step++) {
    const timestamp = new Date(load.from.getTime() + step * load.stepSeconds * 1000);
    const batch: MetricSample[] = [];
    workerIds.forEach((workerId, w) => {
      const region = w % 2 === 0 ? "us-east-1" : "eu-west-1";
      const meta = (source: Source) => ({ workerId, region, source });
      const id = (source: Source) => `${workerId}:${source}:${step}`;
      batch.push(
        {
          id: id("ec2"),
          timestamp,
          meta: meta("ec2"),
          status: 1,
          statusName: "RUNNING",
          instanceStatus: "ok",
          systemStatus: "ok",
        },
        {
          id: id("cloudwatch"),
          timestamp,
          meta: meta("cloudwatch"),
          cpu: Math.round(random() * 10_000) / 100,
          memory: Math.round(random() * 10_000) / 100,
        },
        {
          id: id("cml"),
          timestamp,
          meta: meta("cml"),
          labsCount: Math.floor(random() * 6),
          runningLabsCount: Math.floor(random() * 3),
          uptimeSeconds: step * load.stepSeconds,
          cpuPercent: Math.round(random() * 1000) / 10,
          memoryUsedPercent: Math.round(random() * 1000) / 10,
        },
      );
    });
    yield batch;
  }
}
