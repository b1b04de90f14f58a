import { type CloudWatchClient, type Dimension, ListMetricsCommand } from "@aws-sdk/client-cloudwatch";
import type { AwsCaller } from "@cml-telemetry/aws";

/** Namespace and name of the CloudWatch agent's memory metric. */
export const MEMORY_METRIC = { namespace: "CWAgent", name: "mem_used_percent" } as const;

/**
 * The dimension set under which each instance's agent publishes `mem_used_percent` (the agent's
 * `append_dimensions` decide it: often `InstanceId` + `ImageId` + `InstanceType`, so a query by `InstanceId` alone
 * finds nothing). Learned per region from `ListMetrics` (free) and refreshed periodically.
 */
export interface MemoryDimensionsCache {
  /**
   * Dimensions per instance id; an instance without agent data is absent.
   * @throws the `ListMetrics` error when the region's dimensions were never read successfully.
   */
  dimensionsFor(region: string, instanceIds: readonly string[]): Promise<Map<string, Dimension[]>>;
}

/** Options of {@link createMemoryDimensionsCache}. */
export interface MemoryDimensionsCacheOptions {
  readonly clientFor: (region: string) => CloudWatchClient;
  readonly caller: AwsCaller;
  /** Full refresh after this long (default 15 minutes). */
  readonly refreshMs?: number;
  /** An unknown instance triggers a refresh at most this often (default 2 minutes); a failed read is retried at once. */
  readonly unknownRefreshMs?: number;
  readonly onError?: (region: string, error: unknown) => void;
  readonly now?: () => number;
}

interface RegionEntry {
  dimensions: Map<string, Dimension[]>;
  loadedAt: number;
  loading: Promise<void> | undefined;
}

/** Creates the per-region cache of agent memory dimensions. */
export function createMemoryDimensionsCache(options: MemoryDimensionsCacheOptions): MemoryDimensionsCache {
  const now = options.now ?? Date.now;
  const refreshMs = options.refreshMs ?? 15 * 60_000;
  const unknownRefreshMs = options.unknownRefreshMs ?? 2 * 60_000;
  const regions = new Map<string, RegionEntry>();

  async function load(region: string, entry: RegionEntry): Promise<void> {
    const dimensions = new Map<string, Dimension[]>();
    let nextToken: string | undefined;
    try {
      do {
        const page = await options.caller.call("ListMetrics", region, () =>
          options.clientFor(region).send(
            new ListMetricsCommand({
              Namespace: MEMORY_METRIC.namespace,
              MetricName: MEMORY_METRIC.name,
              ...(nextToken ? { NextToken: nextToken } : {}),
            }),
          ),
        );
        for (const metric of page.Metrics ?? []) {
          const instanceId = metric.Dimensions?.find((d) => d.Name === "InstanceId")?.Value;
          const current = dimensions.get(instanceId ?? "");
          // Several series for one instance: prefer the richest set (what append_dimensions adds).
          if (instanceId && (!current || (metric.Dimensions?.length ?? 0) > current.length)) {
            dimensions.set(instanceId, metric.Dimensions ?? []);
          }
        }
        nextToken = page.NextToken || undefined;
      } while (nextToken);
      entry.dimensions = dimensions;
      entry.loadedAt = now();
    } catch (error) {
      options.onError?.(region, error);
      // Without any earlier answer memory cannot be queried correctly: the collection of the region fails.
      if (entry.loadedAt === Number.NEGATIVE_INFINITY) throw error;
    }
  }

  return {
    async dimensionsFor(region, instanceIds) {
      let entry = regions.get(region);
      if (!entry) {
        entry = { dimensions: new Map(), loadedAt: Number.NEGATIVE_INFINITY, loading: undefined };
        regions.set(region, entry);
      }
      const age = now() - entry.loadedAt;
      const hasUnknown = instanceIds.some((id) => !entry.dimensions.has(id));
      if (age >= refreshMs || (hasUnknown && age >= unknownRefreshMs)) {
        const current = entry;
        current.loading ??= load(region, current).finally(() => {
          current.loading = undefined;
        });
      }
      await entry.loading;
      const result = new Map<string, Dimension[]>();
      for (const id of instanceIds) {
        const dimensions = entry.dimensions.get(id);
        if (dimensions) result.set(id, dimensions);
      }
      return result;
    },
  };
}
