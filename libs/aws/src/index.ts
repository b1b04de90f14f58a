export type { AwsCaller, AwsCallObserver, AwsCallOutcome, ThrottleBackoff } from "./aws-caller.ts";
export { combineAwsCallObservers, createAwsCaller, DEFAULT_THROTTLE_BACKOFF } from "./aws-caller.ts";
export type { AwsFailure } from "./aws-failure.ts";
export { describeAwsFailure, isAccessDeniedError, isDryRunAnswer, isThrottlingError } from "./aws-failure.ts";
export type { AwsClientOptions } from "./client-options.ts";
export {
  AWS_CLIENT_MAX_ATTEMPTS,
  awsClientOptions,
  createRegionClients,
  regionClientLookup,
} from "./client-options.ts";
export type { AwsCollectorBase } from "./collector-base.ts";
export { openAwsCollectorBase } from "./collector-base.ts";
export type { CollectorInstruments } from "./collector-instruments.ts";
export { createCollectorInstruments } from "./collector-instruments.ts";
export type { CollectorMetrics } from "./collector-metrics.ts";
export { countByRegion, createCollectorMetrics } from "./collector-metrics.ts";
export type { AwsCollectorOptions } from "./collector-options.ts";
export type {
  AwsCollectorProcess,
  AwsCollectorProcessConfig,
  AwsCollectorService,
} from "./collector-process.ts";
export { startAwsCollectorProcess } from "./collector-process.ts";
export type { AwsCollectRules, AwsCollectWiring } from "./collector-wiring.ts";
export { createAwsCollectScheduler, startAwsCollectConsumer } from "./collector-wiring.ts";
