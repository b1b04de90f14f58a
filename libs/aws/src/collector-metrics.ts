import type { Outcome } from "@cml-telemetry/messaging";
import type { Meter } from "@opentelemetry/api";
import type { AwsCallObserver } from "./aws-caller.ts";

/** Self-metrics of a collector replica. */
export interface CollectorMetrics {
  /** Counts `aws_calls_total{action,region,outcome}`. */
  readonly observeAwsCall: AwsCallObserver;
  /** Records `collect_cycle_duration_seconds{job}` and `collect_workers_total{job}`. */
  recordCycle(job: string, durationMs: number, workers: number): void;
  /** Counts `commands_handled_total{outcome}`. */
  onOutcome(outcome: Outcome): void;
  /**
   * Counts `collect_errors_total{type,scope}`: one per worker whose reading failed (`scope="source"`, the `errorType`
   * of its `<source>.failed`) or was read without one part (`scope="memory"`).
   */
  recordError(type: string, scope?: "source" | "memory"): void;
}

/** Creates the collector self-metrics; `workersSeen` feeds the `collector_workers_seen` gauge per region. */
export function createCollectorMetrics(
  meter: Meter,
  workersSeen: () => ReadonlyMap<string, number>,
): CollectorMetrics {
  const awsCalls = meter.createCounter("aws_calls_total", {
    description: "AWS API calls by action, region and outcome",
  });
  const cycles = meter.createHistogram("collect_cycle_duration_seconds", {
    description: "Duration of collection cycles (slot passes, direct batches, discoveries)",
    unit: "s",
  });
  const workers = meter.createCounter("collect_workers_total", {
    description: "Workers handled by collection cycles",
  });
  const handled = meter.createCounter("commands_handled_total", {
    description: "Commands handled by outcome",
  });
  const errors = meter.createCounter("collect_errors_total", {
    description: "Workers whose reading failed (scope source) or lacked a part (scope memory), by errorType",
  });
  meter
    .createObservableGauge("collector_workers_seen", {
      description: "Workers in the worker directory, by region",
    })
    .addCallback((result) => {
      for (const [region, count] of workersSeen()) result.observe(count, { region });
    });
  return {
    observeAwsCall: (action, region, outcome) => awsCalls.add(1, { action, region, outcome }),
    recordCycle: (job, durationMs, count) => {
      cycles.record(durationMs / 1000, { job });
      workers.add(count, { job });
    },
    onOutcome: (outcome) => handled.add(1, { outcome }),
    recordError: (type, scope = "source") => errors.add(1, { type, scope }),
  };
}

/** Counts workers per region. */
export function countByRegion(regions: Iterable<{ region: string }>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { region } of regions) counts.set(region, (counts.get(region) ?? 0) + 1);
  return counts;
}
