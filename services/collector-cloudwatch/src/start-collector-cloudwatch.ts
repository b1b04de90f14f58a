import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import {
  type AwsCallObserver,
  combineAwsCallObservers,
  countByRegion,
  createAwsCaller,
  createCollectorMetrics,
  regionClientLookup,
  type ThrottleBackoff,
} from "@cml-telemetry/aws";
import type { Topology, WorkerState } from "@cml-telemetry/contracts";
import { type ConsumeLoop, type Logger, type OpsPublisher, openWorkersKv } from "@cml-telemetry/messaging";
import {
  type CollectScheduler,
  createCollectScheduler,
  createWorkerDirectory,
  startCollectConsumer,
  type WorkerDirectory,
} from "@cml-telemetry/scheduling";
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Meter } from "@opentelemetry/api";
import { createCloudWatchCollector } from "./cloudwatch-collector.ts";
import { isCloudWatchDue, isCloudWatchEligible } from "./cloudwatch-schedule-rules.ts";
import { createMemoryDimensionsCache } from "./memory-dimensions-cache.ts";

/** Dependencies and settings of {@link startCollectorCloudWatch}. */
export interface CollectorCloudWatchOptions {
  readonly nc: NatsConnection;
  readonly topology: Topology;
  readonly logger: Logger;
  readonly ops: OpsPublisher;
  readonly meter?: Meter;
  /** One client per region of `CML_REGIONS`. */
  readonly clients: ReadonlyMap<string, CloudWatchClient>;
  /** `COLLECT_INTERVAL_CLOUDWATCH_SECONDS`: slot length; basic-monitoring workers are due every 300 s. */
  readonly intervalSeconds: number;
  /** Run this replica's ticker and directory watch (default true); false = consume commands only. */
  readonly schedule?: boolean;
  readonly directoryCheckMs?: number;
  /** Commands handled together at most (default 1000). */
  readonly batchSize?: number;
  readonly throttleBackoff?: ThrottleBackoff;
  /** Refresh period of the agent memory dimensions learned from ListMetrics (default 15 minutes). */
  readonly dimensionsRefreshMs?: number;
  readonly onAwsCall?: AwsCallObserver;
  readonly now?: () => number;
}

/** A running collector-cloudwatch replica. */
export interface CollectorCloudWatch {
  readonly directory: WorkerDirectory;
  readonly scheduler: CollectScheduler | undefined;
  /** Metric queries sent to GetMetricData so far (what AWS bills). */
  metricsRequested(): number;
  stop(): Promise<void>;
}

/**
 * Wires collector-cloudwatch: the worker directory over KV `cml_workers`, the durable `collector-cloudwatch` consumer
 * on `cml.cmd.collect.cloudwatch.*` (whole-fetch batches packed into `GetMetricData` calls of 500 queries), gated to
 * RUNNING workers, and the scheduler (slot ticker plus newly running workers).
 */
export async function startCollectorCloudWatch(
  options: CollectorCloudWatchOptions,
): Promise<CollectorCloudWatch> {
  const now = options.now ?? Date.now;
  const js = jetstream(options.nc);
  const clientFor = regionClientLookup(options.clients, "CloudWatch");
  const directory = await createWorkerDirectory(
    await openWorkersKv(options.nc, options.topology),
    options.logger,
  );
  await directory.ready;
  const metrics =
    options.meter === undefined
      ? undefined
      : createCollectorMetrics(options.meter, () => countByRegion(directory.list()));
  const requestedCounter = options.meter?.createCounter("cloudwatch_metrics_requested_total", {
    description: "Metric queries sent to GetMetricData (what AWS bills), by region",
  });
  let requested = 0;
  const caller = createAwsCaller({
    observe: combineAwsCallObservers(metrics?.observeAwsCall, options.onAwsCall),
    ...(options.throttleBackoff ? { backoff: options.throttleBackoff } : {}),
  });
  const collectRegion = createCloudWatchCollector({
    clientFor,
    caller,
    directory,
    memoryDimensions: createMemoryDimensionsCache({
      clientFor,
      caller,
      now,
      ...(options.dimensionsRefreshMs === undefined ? {} : { refreshMs: options.dimensionsRefreshMs }),
      onError: (region, error) =>
        options.logger.warn(
          { region, err: (error as Error).message },
          "ListMetrics failed; memory dimensions not refreshed",
        ),
    }),
    logger: options.logger,
    onQueriesSent: (region, count) => {
      requested += count;
      requestedCounter?.add(count, { region });
    },
    now,
  });
  const serves = (worker: WorkerState): boolean => options.clients.has(worker.region);
  const isDue = (worker: WorkerState, slot: number): boolean =>
    serves(worker) && isCloudWatchDue(worker, slot, options.intervalSeconds);
  const loop: ConsumeLoop = await startCollectConsumer({
    nc: options.nc,
    topology: options.topology,
    source: "cloudwatch",
    directory,
    collectRegion,
    regions: new Set(options.clients.keys()),
    isDue,
    accepts: isCloudWatchEligible,
    ops: options.ops,
    logger: options.logger,
    batchSize: options.batchSize,
    onCycle: metrics
      ? (job, durationMs, workers) => metrics.recordCycle(job, durationMs, workers)
      : undefined,
    onOutcome: metrics?.onOutcome,
    now,
  }).catch((error: unknown) => {
    directory.stop();
    throw error;
  });

  const scheduler =
    options.schedule === false
      ? undefined
      : createCollectScheduler({
          js,
          service: "collector-cloudwatch",
          source: "cloudwatch",
          directory,
          intervalSeconds: options.intervalSeconds,
          isDue,
          isEligible: (worker) => serves(worker) && isCloudWatchEligible(worker),
          logger: options.logger,
          now,
          ...(options.directoryCheckMs === undefined ? {} : { directoryCheckMs: options.directoryCheckMs }),
        });
  scheduler?.start();
  return {
    directory,
    scheduler,
    metricsRequested: () => requested,
    async stop() {
      await scheduler?.stop();
      await loop.stop();
      directory.stop();
    },
  };
}
