import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { type AwsCollectorOptions, type AwsCollectRules, openAwsCollectorBase } from "@cml-telemetry/aws";
import type { ConsumeLoop } from "@cml-telemetry/messaging";
import type { CollectScheduler, WorkerDirectory } from "@cml-telemetry/scheduling";
import { jetstream } from "@nats-io/jetstream";
import { createCloudWatchCollector } from "./cloudwatch-collector.ts";
import { isCloudWatchDue, isCloudWatchEligible } from "./cloudwatch-schedule-rules.ts";
import { createMemoryDimensionsCache } from "./memory-dimensions-cache.ts";

/** Dependencies and settings of {@link startCollectorCloudWatch}. */
export interface CollectorCloudWatchOptions extends AwsCollectorOptions<CloudWatchClient> {
  /** `COLLECT_INTERVAL_CLOUDWATCH_SECONDS`: slot length; basic-monitoring workers are due every 300 s. */
  readonly intervalSeconds: number;
  /** Refresh period of the agent memory dimensions learned from ListMetrics (default 15 minutes). */
  readonly dimensionsRefreshMs?: number;
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
  const base = await openAwsCollectorBase(options, "CloudWatch");
  const { directory, caller, clientFor, metrics } = base;
  const requestedCounter = options.meter?.createCounter("cloudwatch_metrics_requested_total", {
    description: "Metric queries sent to GetMetricData (what AWS bills), by region",
  });
  let requested = 0;
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
          "ListMetrics failed; the agent's memory series are not refreshed",
        ),
    }),
    logger: options.logger,
    onError: (errorType, scope) => metrics?.recordError(errorType, scope),
    onQueriesSent: (region, count) => {
      requested += count;
      requestedCounter?.add(count, { region });
    },
    now,
  });
  // Basic-monitoring workers are due once per 300 s, detailed ones in every slot; only RUNNING workers are collected.
  const rules: AwsCollectRules = {
    source: "cloudwatch",
    isDue: (worker, slot) => isCloudWatchDue(worker, slot, options.intervalSeconds),
    isEligible: isCloudWatchEligible,
    accepts: isCloudWatchEligible,
  };
  const loop: ConsumeLoop = await base.startCollectConsumer(rules, collectRegion).catch((error: unknown) => {
    directory.stop();
    throw error;
  });

  const scheduler = base.createCollectScheduler(rules, js);
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
