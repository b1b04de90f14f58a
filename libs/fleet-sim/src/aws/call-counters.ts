import type { AwsService } from "./aws-service.ts";

/** A snapshot of the calls the simulator received. */
export interface CallCounts {
  /** All AWS calls. */
  total: number;
  /** Calls per `<service>:<Action>`, e.g. `ec2:DescribeInstances`. */
  byAction: Record<string, number>;
  /** Calls per region, then per `<service>:<Action>`. */
  byRegion: Record<string, Record<string, number>>;
  /** Calls made with `DryRun=true` (counted in `byAction` too), per `<service>:<Action>`: they change nothing. */
  dryRuns: Record<string, number>;
  /** Calls answered with an error, per error code. */
  errors: Record<string, number>;
  /** CloudWatch metrics requested through GetMetricData (MetricStat queries; what AWS bills). */
  metricQueries: number;
  /** The same per region. */
  metricQueriesByRegion: Record<string, number>;
}

/** Counts calls per action and region; read with {@link CallCounters.snapshot}. */
export interface CallCounters {
  record(service: AwsService, action: string, region: string): void;
  recordError(code: string): void;
  recordDryRun(service: AwsService, action: string): void;
  recordMetricQueries(region: string, count: number): void;
  snapshot(): CallCounts;
  reset(): void;
}

/** Creates zeroed call counters. */
export function createCallCounters(): CallCounters {
  let counts = empty();
  return {
    record: (service, action, region) => {
      const key = `${service}:${action}`;
      counts.total++;
      counts.byAction[key] = (counts.byAction[key] ?? 0) + 1;
      const perRegion = counts.byRegion[region] ?? {};
      counts.byRegion[region] = perRegion;
      perRegion[key] = (perRegion[key] ?? 0) + 1;
    },
    recordError: (code) => {
      counts.errors[code] = (counts.errors[code] ?? 0) + 1;
    },
    recordDryRun: (service, action) => {
      const key = `${service}:${action}`;
      counts.dryRuns[key] = (counts.dryRuns[key] ?? 0) + 1;
    },
    recordMetricQueries: (region, count) => {
      counts.metricQueries += count;
      counts.metricQueriesByRegion[region] = (counts.metricQueriesByRegion[region] ?? 0) + count;
    },
    snapshot: () => structuredClone(counts),
    reset: () => {
      counts = empty();
    },
  };
}

function empty(): CallCounts {
  return {
    total: 0,
    byAction: {},
    byRegion: {},
    dryRuns: {},
    errors: {},
    metricQueries: 0,
    metricQueriesByRegion: {},
  };
}
