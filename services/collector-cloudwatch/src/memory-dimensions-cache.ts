import { type CloudWatchClient, type Dimension, ListMetricsCommand } from "@aws-sdk/client-cloudwatch";
import { type AwsCaller, describeAwsFailure, isAccessDeniedError } from "@cml-telemetry/aws";
import { awsErrorTypes, type PartialFailure } from "@cml-telemetry/contracts";

/** Namespace and name of the CloudWatch agent's memory metric. */
export const MEMORY_METRIC = { namespace: "CWAgent", name: "mem_used_percent" } as const;

/** What the collector knows of an instance now (from the worker state), to pick the agent series that is current. */
export interface MemorySeriesWanted {
  readonly instanceId: string;
  /** The instance's type now; null when not known yet. */
  readonly instanceType: string | null;
  /** The instance's AMI now; null when not known yet. */
  readonly imageId: string | null;
}

/** The dimension set to query memory under, per instance, or why memory cannot be read now. */
export interface MemorySeriesChoice {
  /** Instance id → dimension set; an instance without a current agent series is absent. */
  readonly dimensions: ReadonlyMap<string, Dimension[]>;
  /** Instance id → why memory cannot be read (ListMetrics failed and nothing usable is known for it). */
  readonly errors: ReadonlyMap<string, PartialFailure>;
}

/**
 * The dimension set under which each instance's agent publishes `mem_used_percent`. CloudWatch keys a metric by its
 * exact dimension set and the agent's `append_dimensions` decide it (often `InstanceId`, `ImageId`, `InstanceType`,
 * sometimes `AutoScalingGroupName`), so the sets are learned per region from `ListMetrics` with
 * `RecentlyActive=PT3H` (an old set keeps being listed for two weeks without it).
 */
export interface MemoryDimensionsCache {
  /** Chooses, per instance, the recently active set whose `InstanceType` and `ImageId` match the instance now. */
  choose(region: string, instances: readonly MemorySeriesWanted[]): Promise<MemorySeriesChoice>;
  /** The chosen set gave no current datapoint: choose another one next time and read `ListMetrics` again soon. */
  reportEmpty(region: string, instanceId: string, dimensions: readonly Dimension[]): void;
}

/** Options of {@link createMemoryDimensionsCache}. */
export interface MemoryDimensionsCacheOptions {
  readonly clientFor: (region: string) => CloudWatchClient;
  readonly caller: AwsCaller;
  /** Full refresh after this long (default 15 minutes). */
  readonly refreshMs?: number;
  /**
   * An instance without a matching set (new, resized) or with an empty answer triggers a refresh at most this often
   * (default 2 minutes); a failed read is retried at the next collection.
   */
  readonly unknownRefreshMs?: number;
  readonly onError?: (region: string, error: unknown) => void;
  readonly now?: () => number;
}

interface RegionEntry {
  /** Instance id → every recently active set. */
  sets: Map<string, Dimension[][]>;
  loadedAt: number;
  /** The last read failed: why, when nothing usable is known. */
  lastError: PartialFailure | undefined;
  staleChoice: boolean;
  loading: Promise<void> | undefined;
  /** Instance id → keys of sets that came back empty since. */
  empty: Map<string, Set<string>>;
}

/** Creates the per-region cache of agent memory dimension sets. */
export function createMemoryDimensionsCache(options: MemoryDimensionsCacheOptions): MemoryDimensionsCache {
  const now = options.now ?? Date.now;
  const refreshMs = options.refreshMs ?? 15 * 60_000;
  const unknownRefreshMs = options.unknownRefreshMs ?? 2 * 60_000;
  const regions = new Map<string, RegionEntry>();

  const entryOf = (region: string): RegionEntry => {
    let entry = regions.get(region);
    if (!entry) {
      entry = {
        sets: new Map(),
        loadedAt: Number.NEGATIVE_INFINITY,
        lastError: undefined,
        staleChoice: false,
        loading: undefined,
        empty: new Map(),
      };
      regions.set(region, entry);
    }
    return entry;
  };

  async function load(region: string, entry: RegionEntry): Promise<void> {
    const sets = new Map<string, Dimension[][]>();
    let nextToken: string | undefined;
    try {
      do {
        const page = await options.caller.call("ListMetrics", region, () =>
          options.clientFor(region).send(
            new ListMetricsCommand({
              Namespace: MEMORY_METRIC.namespace,
              MetricName: MEMORY_METRIC.name,
              RecentlyActive: "PT3H",
              ...(nextToken ? { NextToken: nextToken } : {}),
            }),
          ),
        );
        for (const metric of page.Metrics ?? []) {
          const dimensions = metric.Dimensions ?? [];
          const instanceId = dimensions.find((d) => d.Name === "InstanceId")?.Value;
          if (instanceId) sets.set(instanceId, [...(sets.get(instanceId) ?? []), dimensions]);
        }
        nextToken = page.NextToken || undefined;
      } while (nextToken);
      entry.sets = sets;
      entry.lastError = undefined;
      for (const instanceId of entry.empty.keys()) if (!sets.has(instanceId)) entry.empty.delete(instanceId);
    } catch (error) {
      options.onError?.(region, error);
      entry.lastError = memoryFailure(error);
    } finally {
      entry.loadedAt = now();
      entry.staleChoice = false;
    }
  }

  const pick = (entry: RegionEntry, wanted: MemorySeriesWanted): Dimension[] | undefined => {
    const candidates = (entry.sets.get(wanted.instanceId) ?? [])
      .filter(
        (set) => matches(set, "InstanceType", wanted.instanceType) && matches(set, "ImageId", wanted.imageId),
      )
      .sort((a, b) => b.length - a.length);
    const empty = entry.empty.get(wanted.instanceId);
    return candidates.find((set) => !empty?.has(keyOf(set))) ?? candidates[0];
  };

  return {
    async choose(region, instances) {
      const entry = entryOf(region);
      const age = now() - entry.loadedAt;
      const unmatched = instances.some((wanted) => pick(entry, wanted) === undefined);
      const retry = entry.lastError !== undefined;
      if (retry || age >= refreshMs || ((unmatched || entry.staleChoice) && age >= unknownRefreshMs)) {
        const current = entry;
        current.loading ??= load(region, current).finally(() => {
          current.loading = undefined;
        });
      }
      await entry.loading;
      const dimensions = new Map<string, Dimension[]>();
      const errors = new Map<string, PartialFailure>();
      for (const wanted of instances) {
        const chosen = pick(entry, wanted);
        if (chosen) dimensions.set(wanted.instanceId, chosen);
        else if (entry.lastError) errors.set(wanted.instanceId, entry.lastError);
      }
      return { dimensions, errors };
    },

    reportEmpty(region, instanceId, dimensions) {
      const entry = entryOf(region);
      const empty = entry.empty.get(instanceId) ?? new Set<string>();
      empty.add(keyOf(dimensions));
      // Every candidate came back empty: start over from the most specific one.
      const candidates = entry.sets.get(instanceId) ?? [];
      if (candidates.every((set) => empty.has(keyOf(set)))) empty.clear();
      entry.empty.set(instanceId, empty);
      entry.staleChoice = true;
    },
  };
}

/** Why memory cannot be read when `ListMetrics` failed; a missing permission is named as such. */
function memoryFailure(error: unknown): PartialFailure {
  const failure = describeAwsFailure(error);
  if (isAccessDeniedError(error)) {
    return {
      errorType: awsErrorTypes.accessDenied,
      errorMessage: `cloudwatch:ListMetrics is not allowed, so the CloudWatch agent's memory series cannot be found (memory is not collected; CPU is): ${failure.errorMessage}`,
    };
  }
  return {
    errorType: failure.errorType,
    errorMessage: `ListMetrics failed, so the CloudWatch agent's memory series is not known yet: ${failure.errorMessage}`,
  };
}

function matches(set: readonly Dimension[], name: string, value: string | null): boolean {
  if (value === null) return true;
  const dimension = set.find((d) => d.Name === name);
  return dimension === undefined || dimension.Value === value;
}

function keyOf(set: readonly Dimension[]): string {
  return set
    .map((d) => `${d.Name}=${d.Value}`)
    .sort()
    .join(",");
}
