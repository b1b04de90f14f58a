import type { CloudWatchClient, Dimension } from "@aws-sdk/client-cloudwatch";
import { type AwsCaller, describeAwsFailure } from "@cml-telemetry/aws";
import { type CloudwatchMetrics, createEvent, subjects, telemetry } from "@cml-telemetry/contracts";
import type { Logger, WindowedPublisher } from "@cml-telemetry/messaging";
import type { CollectTarget, RegionCollector, WorkerDirectory } from "@cml-telemetry/scheduling";
import { periodOf } from "./cloudwatch-schedule-rules.ts";
import {
  type Datapoint,
  getMetricDataPack,
  packRequests,
  type WorkerMetricRequest,
} from "./get-metric-data-batcher.ts";
import type { MemoryDimensionsCache } from "./memory-dimensions-cache.ts";
import { isStaleDatapoint, type MetricWindow, metricWindow } from "./metric-window.ts";

/** Options of {@link createCloudWatchCollector}. */
export interface CloudWatchCollectorOptions {
  readonly clientFor: (region: string) => CloudWatchClient;
  readonly caller: AwsCaller;
  readonly directory: WorkerDirectory;
  readonly memoryDimensions: MemoryDimensionsCache;
  readonly logger: Logger;
  /** Told the number of metric queries of every `GetMetricData` request (`cloudwatch_metrics_requested_total`). */
  readonly onQueriesSent?: (region: string, count: number) => void;
  /** Packs in flight at once per region (default 4). */
  readonly concurrency?: number;
  readonly now?: () => number;
}

/**
 * Creates the CloudWatch region collector: CPU (`AWS/EC2 CPUUtilization` by InstanceId) and memory (`CWAgent
 * mem_used_percent` under each agent's own dimensions) of up to 250 workers per `GetMetricData` call (500 queries),
 * period 60 s with detailed monitoring else 300 s, the newest complete datapoint per series with its own time,
 * `memoryUtilization: null` without agent data, `stale: true` for a datapoint older than expected.
 */
export function createCloudWatchCollector(options: CloudWatchCollectorOptions): RegionCollector {
  const now = options.now ?? Date.now;
  return async (region, targets, publisher) => {
    let memory: Map<string, Dimension[]>;
    try {
      memory = await options.memoryDimensions.dimensionsFor(
        region,
        targets.map((target) => target.instanceId),
      );
    } catch (error) {
      await publishFailed(targets, region, error, publisher);
      return;
    }
    const requests: WorkerMetricRequest[] = targets.map((target) => ({
      target,
      periodSeconds: periodOf(options.directory.get(target.workerId)),
      memoryDimensions: memory.get(target.instanceId),
    }));
    const packs = packRequests(requests);
    const window = metricWindow(now());
    let next = 0;
    const run = async (): Promise<void> => {
      while (next < packs.length) {
        const pack = packs[next++] as WorkerMetricRequest[];
        await collectPack(pack, region, window, publisher);
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 4, packs.length) }, run));
  };

  async function publishFailed(
    targets: readonly CollectTarget[],
    region: string,
    error: unknown,
    publisher: WindowedPublisher,
  ): Promise<void> {
    const failure = describeAwsFailure(error);
    options.logger.warn(
      { region, workers: targets.length, errorType: failure.errorType, err: failure.errorMessage },
      "CloudWatch could not be read; publishing cloudwatch.failed for the affected workers",
    );
    const observedAt = new Date(now()).toISOString();
    for (const target of targets) {
      await publishEach(publisher, target, (correlationId) =>
        createEvent(telemetry.cloudwatchFailed, {
          source: "collector-cloudwatch",
          subject: target.workerId,
          correlationId,
          data: { ...refOf(target), ...failure, observedAt },
        }),
      );
    }
  }

  async function collectPack(
    pack: WorkerMetricRequest[],
    region: string,
    window: MetricWindow,
    publisher: WindowedPublisher,
  ): Promise<void> {
    let datapoints: Map<string, { cpu: Datapoint | undefined; memory: Datapoint | undefined }>;
    try {
      datapoints = await getMetricDataPack({
        client: options.clientFor(region),
        caller: options.caller,
        region,
        pack,
        window,
        onQueriesSent: (count) => options.onQueriesSent?.(region, count),
      });
    } catch (error) {
      await publishFailed(
        pack.map((request) => request.target),
        region,
        error,
        publisher,
      );
      return;
    }
    const observedAt = new Date(now()).toISOString();
    for (const request of pack) {
      const { target, periodSeconds } = request;
      const points = datapoints.get(target.workerId);
      const data: CloudwatchMetrics = {
        ...refOf(target),
        cpuUtilization: points?.cpu ? clampPercent(points.cpu.value) : null,
        memoryUtilization: points?.memory ? clampPercent(points.memory.value) : null,
        periodSeconds,
        datapointAt: points?.cpu ? new Date(points.cpu.atSeconds * 1000).toISOString() : null,
        memoryDatapointAt: points?.memory ? new Date(points.memory.atSeconds * 1000).toISOString() : null,
        stale:
          (points?.cpu !== undefined && isStaleDatapoint(points.cpu.atSeconds, periodSeconds, window)) ||
          (points?.memory !== undefined && isStaleDatapoint(points.memory.atSeconds, periodSeconds, window)),
        detailedMonitoring: periodSeconds === 60,
        observedAt,
      };
      await publishEach(publisher, target, (correlationId) =>
        createEvent(telemetry.cloudwatchMetrics, {
          source: "collector-cloudwatch",
          subject: target.workerId,
          correlationId,
          data,
        }),
      );
    }
  }
}

async function publishEach(
  publisher: WindowedPublisher,
  target: CollectTarget,
  build: (correlationId: string | undefined) => ReturnType<typeof createEvent>,
): Promise<void> {
  for (const correlationId of target.correlationIds) {
    await publisher.publish(subjects.telemetry("cloudwatch", target.workerId), build(correlationId));
  }
}

function refOf(target: CollectTarget): { workerId: string; region: string; instanceId: string } {
  return { workerId: target.workerId, region: target.region, instanceId: target.instanceId };
}

/** CloudWatch averages can drift a hair outside 0..100; the contract requires a percentage. */
function clampPercent(value: number): number {
  return Math.min(100, Math.max(0, value));
}
