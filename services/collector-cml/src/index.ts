export { type CmlClientCache, type CmlClientCacheOptions, createCmlClientCache } from "./cml-client-cache.ts";
export {
  type CmlClientFactoryDeps,
  createCmlClientFactory,
  LAB_STATE_CONCURRENCY,
} from "./cml-client-factory.ts";
export { type CmlCollectableWorker, cmlTargetOf, isCmlCollectable } from "./cml-eligibility.ts";
export { type CmlTelemetryMessage, type CmlWorkerRef, cmlTelemetryMessage } from "./cml-telemetry-event.ts";
export { CML_JOB_NAME, type CmlBatchHandlerDeps, createCmlBatchHandler } from "./collect-cml-batch.ts";
export {
  type CmlCollection,
  type CollectCmlWorkerInput,
  collectCmlWorker,
  failedCollectionOf,
} from "./collect-cml-worker.ts";
export { type CollectorCmlMetrics, createCollectorCmlMetrics } from "./collector-cml-metrics.ts";
export {
  type CmlAccessOptions,
  type CollectorCml,
  type CollectorCmlOptions,
  startCollectorCml,
} from "./start-collector-cml.ts";
export { kvTlsPinStore, openTlsPinStore } from "./tls-pin-store.ts";
export {
  createWorkerReadPolicy,
  type ReadPlan,
  type WorkerReadPolicy,
  type WorkerReadPolicyOptions,
} from "./worker-read-policy.ts";
