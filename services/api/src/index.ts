export type { AppDeps, AppSettings } from "./app/app-deps.ts";
export { DEFAULT_SETTINGS } from "./app/app-deps.ts";
export { type ApiApp, createApp } from "./app/create-app.ts";
export {
  createTokenAuthenticator,
  type Principal,
  sha256Hex,
  type TokenAuthenticator,
} from "./auth/token-authenticator.ts";
export { createApiMetrics } from "./metrics/create-api-metrics.ts";
export { connectionOpsFrom } from "./nats/connection-ops-adapter.ts";
export { startJetStreamEventFeed } from "./nats/jetstream-event-feed.ts";
export { createNatsCommandPublisher } from "./nats/nats-command-publisher.ts";
export { createNatsHistoryClient } from "./nats/nats-history-client.ts";
export type {
  CommandPublisher,
  ConnectionOps,
  EventFeed,
  FeedEvent,
  HistoryClient,
  PriceBook,
  WorkerReadModel,
} from "./ports.ts";
export { HistoryUnavailableError } from "./ports.ts";
export { PROBLEM_BASE, PROBLEM_TYPES, type ProblemKind } from "./problems.ts";
export { startKvPriceBook } from "./read-model/kv-price-book.ts";
export { startKvWorkerReadModel } from "./read-model/kv-worker-read-model.ts";
export { type RunningApi, type StartApiOptions, startApi } from "./start-api.ts";
export { applicableSources, canConnect, cmlUptimeSeconds, isIdle } from "./workers/worker-rules.ts";
export { toWorkerView, type WorkerView, type WorkerViewContext } from "./workers/worker-view.ts";
