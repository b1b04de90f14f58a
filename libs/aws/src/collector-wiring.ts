import type { WorkerState } from "@cml-telemetry/contracts";
import type { ConsumeLoop } from "@cml-telemetry/messaging";
import {
  type AwsCollectSource,
  type CollectScheduler,
  createCollectScheduler,
  type RegionCollector,
  startCollectConsumer,
  type WorkerDirectory,
} from "@cml-telemetry/scheduling";
import type { JetStreamClient } from "@nats-io/jetstream";
import type { CollectorMetrics } from "./collector-metrics.ts";
import type { AwsCollectorOptions } from "./collector-options.ts";

/** The collection rules of an AWS collector source; the wiring adds the gate to the regions it has clients for. */
export interface AwsCollectRules {
  readonly source: AwsCollectSource;
  /** Whether a worker's command belongs to a slot. */
  readonly isDue: (worker: WorkerState, slot: number) => boolean;
  /** Whether a worker is collectable at all; one that becomes so is scheduled in the current slot at once. */
  readonly isEligible: (worker: WorkerState) => boolean;
  /** Handler-side gate: a command for a worker this refuses is acknowledged without a call. */
  readonly accepts: (worker: WorkerState | undefined) => boolean;
}

/** What {@link startAwsCollectConsumer} and {@link createAwsCollectScheduler} wire together. */
export interface AwsCollectWiring {
  readonly rules: AwsCollectRules;
  readonly directory: WorkerDirectory;
  readonly metrics: CollectorMetrics | undefined;
}

function servedRules(options: AwsCollectorOptions<unknown>, rules: AwsCollectRules): AwsCollectRules {
  const serves = (worker: WorkerState): boolean => options.clients.has(worker.region);
  return {
    source: rules.source,
    isDue: (worker, slot) => serves(worker) && rules.isDue(worker, slot),
    isEligible: (worker) => serves(worker) && rules.isEligible(worker),
    accepts: rules.accepts,
  };
}

/**
 * Starts the collector's durable `collector-<source>` consumer for the regions of `options.clients`, counting its
 * cycles and outcomes in the self-metrics.
 */
export async function startAwsCollectConsumer(
  options: AwsCollectorOptions<unknown>,
  wiring: AwsCollectWiring & { readonly collectRegion: RegionCollector },
): Promise<ConsumeLoop> {
  const rules = servedRules(options, wiring.rules);
  const metrics = wiring.metrics;
  return await startCollectConsumer({
    nc: options.nc,
    topology: options.topology,
    source: rules.source,
    directory: wiring.directory,
    collectRegion: wiring.collectRegion,
    regions: new Set(options.clients.keys()),
    isDue: rules.isDue,
    accepts: rules.accepts,
    ops: options.ops,
    logger: options.logger,
    batchSize: options.batchSize,
    onCycle: metrics
      ? (job, durationMs, workers) => metrics.recordCycle(job, durationMs, workers)
      : undefined,
    onOutcome: metrics?.onOutcome,
    now: options.now,
  });
}

/**
 * Creates the collector's scheduler (not started) for the workers of the regions of `options.clients`, or
 * undefined when `options.schedule` is false (a replica that only consumes commands).
 */
export function createAwsCollectScheduler(
  options: AwsCollectorOptions<unknown>,
  wiring: Omit<AwsCollectWiring, "metrics"> & { readonly js: JetStreamClient },
): CollectScheduler | undefined {
  if (options.schedule === false) return undefined;
  const rules = servedRules(options, wiring.rules);
  return createCollectScheduler({
    js: wiring.js,
    service: `collector-${rules.source}`,
    source: rules.source,
    directory: wiring.directory,
    intervalSeconds: options.intervalSeconds,
    isDue: rules.isDue,
    isEligible: rules.isEligible,
    logger: options.logger,
    now: options.now,
    directoryCheckMs: options.directoryCheckMs,
  });
}
