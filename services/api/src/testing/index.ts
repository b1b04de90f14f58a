export { createTestApp, TEST_TOKENS, type TestApp, type TestAppOptions } from "../app/create-test-app.ts";
export {
  createFakeCommandPublisher,
  type FakeCommandPublisher,
  type PublishedCommand,
} from "./fake-command-publisher.ts";
export {
  createFakeConnectionOps,
  type FakeConnectionOps,
  type RecordedConnectionOp,
} from "./fake-connection-ops.ts";
export { createFakeEventFeed, type FakeEventFeed } from "./fake-event-feed.ts";
export { createFakeHistoryClient, type FakeHistoryClient } from "./fake-history-client.ts";
export { createFakeRefreshLedger } from "./fake-refresh-ledger.ts";
export {
  afterLifecycleOutcome,
  appendLifecycleEvent,
  type LifecycleReport,
  lifecycleEventData,
} from "./lifecycle-fixture.ts";
export { givenPrice } from "./price-entry.ts";
export { publishDomainEvent } from "./publish-domain-event.ts";
export { createSseReader, type SseMessage } from "./read-sse.ts";
export { startTestApi } from "./start-test-api.ts";
export { aWorkerState } from "./worker-state-builder.ts";
export { aWorkerViewContext } from "./worker-view-context.ts";
