import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { type AwsCaller, describeAwsFailure } from "@cml-telemetry/aws";
import {
  type CloudwatchMetrics,
  createEvent,
  type PartialFailure,
  type SourceFailed,
  subjects,
  telemetry,
} from "@cml-telemetry/contracts";
import type { Logger, WindowedPublisher } from "@cml-telemetry/messaging";
import type { CollectTarget, RegionCollector, WorkerDirectory } from "@cml-telemetry/scheduling";
import { periodOf } from "./cloudwatch-schedule-rules.ts";
import {
  type Datapoint,
  getMetricDataPack,
  isFailedMetric,
  packRequests,
  type WorkerDatapoints,
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
  /** Told each worker whose reading failed (`source`) or lacked memory (`memory`), by `errorType`. */
  readonly onError?: (errorType: string, scope: "source" | "memory") => void;
  /** Packs in flight at once per region (default 4). */
  readonly concurrency?: number;
  readonly now?: () => number;
}

/**
 * Creates the CloudWatch region collector: CPU (`AWS/EC2 CPUUtilization` by InstanceId) and memory (`CWAgent
 * mem_used_percent` under the agent's current dimension set) of up to 250 workers per `GetMetricData` call (500
 * queries), period 60 s with detailed monitoring else 300 s, the newest complete datapoint per series with its own
 * time, `memoryUtilization: null` without agent data, `stale: true` for a datapoint older than expected. Memory that
 * cannot be read (ListMetrics denied or failing, a failed memory result) costs memory only: CPU is published with a
 * `memoryError`. A failed CPU result, or a failed call, is a `cloudwatch.failed` for its workers only.
 */
export function createCloudWatchCollector(options: CloudWatchCollectorOptions): RegionCollector {
  const now = options.now ?? Date.now;
  return async (region, targets, publisher) => {
    const memory = await options.memoryDimensions.choose(
      region,
      targets.map((target) => {
        const worker = options.directory.get(target.workerId);
        return {
          instanceId: target.instanceId,
          instanceType: worker?.instanceType ?? null,
          imageId: worker?.amiId ?? null,
        };
      }),
    );
    const requests: WorkerMetricRequest[] = targets.map((target) => ({
      target,
      periodSeconds: periodOf(options.directory.get(target.workerId)),
      memoryDimensions: memory.dimensions.get(target.instanceId),
      memoryError: memory.errors.get(target.instanceId),
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
    target: CollectTarget,
    failure: Pick<SourceFailed, "errorType" | "errorMessage" | "retryable">,
    publisher: WindowedPublisher,
  ): Promise<void> {
    options.onError?.(failure.errorType, "source");
    const data: SourceFailed = { ...refOf(target), ...failure, observedAt: new Date(now()).toISOString() };
    await publishEach(publisher, target, (correlationId) =>
      createEvent(telemetry.cloudwatchFailed, {
        source: "collector-cloudwatch",
        subject: target.workerId,
        correlationId,
        data,
      }),
    );
  }

  async function collectPack(
    pack: WorkerMetricRequest[],
    region: string,
    window: MetricWindow,
    publisher: WindowedPublisher,
  ): Promise<void> {
    let datapoints: Map<string, WorkerDatapoints>;
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
      const failure = describeAwsFailure(error);
      options.logger.warn(
        { region, workers: pack.length, errorType: failure.errorType, err: failure.errorMessage },
        "GetMetricData failed; publishing cloudwatch.failed for the workers of the call",
      );
      for (const request of pack) await publishFailed(request.target, failure, publisher);
      return;
    }
    const observedAt = new Date(now()).toISOString();
    for (const request of pack) {
      const { target, periodSeconds } = request;
      const points = datapoints.get(target.workerId);
      if (isFailedMetric(points?.cpu)) {
        await publishFailed(target, { ...points.cpu.failure, retryable: true }, publisher);
        continue;
      }
      const cpu: Datapoint | undefined = points?.cpu;
      const memoryPoint = isFailedMetric(points?.memory) ? undefined : points?.memory;
      const memoryError: PartialFailure | undefined =
        request.memoryError ?? (isFailedMetric(points?.memory) ? points.memory.failure : undefined);
      if (memoryError) options.onError?.(memoryError.errorType, "memory");
      // The chosen series gave nothing current: the agent may publish under another set now (resize, new config).
      if (
        request.memoryDimensions &&
        !memoryError &&
        (!memoryPoint || isStaleDatapoint(memoryPoint.atSeconds, periodSeconds, window))
      ) {
        options.memoryDimensions.reportEmpty(region, target.instanceId, request.memoryDimensions);
      }
      const data: CloudwatchMetrics = {
        ...refOf(target),
        cpuUtilization: cpu ? clampPercent(cpu.value) : null,
        memoryUtilization: memoryPoint ? clampPercent(memoryPoint.value) : null,
        periodSeconds,
        datapointAt: cpu ? new Date(cpu.atSeconds * 1000).toISOString() : null,
        memoryDatapointAt: memoryPoint ? new Date(memoryPoint.atSeconds * 1000).toISOString() : null,
        stale:
          (cpu !== undefined && isStaleDatapoint(cpu.atSeconds, periodSeconds, window)) ||
          (memoryPoint !== undefined && isStaleDatapoint(memoryPoint.atSeconds, periodSeconds, window)),
        detailedMonitoring: periodSeconds === 60,
        memoryError: memoryError ?? null,
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
