import type { Meter } from "@opentelemetry/api";
import {
  type AwsCaller,
  type AwsCallObserver,
  combineAwsCallObservers,
  createAwsCaller,
  type ThrottleBackoff,
} from "./aws-caller.ts";
import { type CollectorMetrics, countByRegion, createCollectorMetrics } from "./collector-metrics.ts";

/** The self-metrics of an AWS collector replica and the AWS caller that feeds them. */
export interface CollectorInstruments {
  /** Absent without a meter. */
  readonly metrics: CollectorMetrics | undefined;
  readonly caller: AwsCaller;
}

/**
 * Creates a collector's self-metrics (when `meter` is given; `workers` feeds the per-region gauge) and its AWS
 * caller, which reports every call to the metrics and to `onAwsCall` and backs off on throttling.
 */
export function createCollectorInstruments(options: {
  meter?: Meter;
  workers: () => Iterable<{ region: string }>;
  onAwsCall?: AwsCallObserver;
  throttleBackoff?: ThrottleBackoff;
}): CollectorInstruments {
  const metrics =
    options.meter === undefined
      ? undefined
      : createCollectorMetrics(options.meter, () => countByRegion(options.workers()));
  const caller = createAwsCaller({
    observe: combineAwsCallObservers(metrics?.observeAwsCall, options.onAwsCall),
    backoff: options.throttleBackoff,
  });
  return { metrics, caller };
}
