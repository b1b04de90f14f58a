import { createLogger } from "@cml-telemetry/observability";
import { createTokenAuthenticator, sha256Hex } from "../auth/token-authenticator.ts";
import { createApiMetrics } from "../metrics/create-api-metrics.ts";
import { createWorkerCache, type WorkerCache } from "../read-model/worker-cache.ts";
import { createFakeCommandPublisher, type FakeCommandPublisher } from "../testing/fake-command-publisher.ts";
import { createFakeConnectionOps } from "../testing/fake-connection-ops.ts";
import { createFakeEventFeed, type FakeEventFeed } from "../testing/fake-event-feed.ts";
import { createFakeHistoryClient, type FakeHistoryClient } from "../testing/fake-history-client.ts";
import type { AppSettings } from "./app-deps.ts";
import { type ApiApp, createApp } from "./create-app.ts";

/** Bearer tokens the test app accepts. */
export const TEST_TOKENS = { viewer: "viewer-secret-token", operator: "operator-secret-token" } as const;

/** The app under test with its fakes. */
export interface TestApp extends ApiApp {
  readModel: WorkerCache;
  commands: FakeCommandPublisher;
  history: FakeHistoryClient;
  feed: FakeEventFeed;
  ops: ReturnType<typeof createFakeConnectionOps>;
  natsConnected: { value: boolean };
  scrape(): Promise<string>;
  /** Headers with the bearer token of a role. */
  auth(role: keyof typeof TEST_TOKENS): { authorization: string };
}

/**
 * The API wired to in-memory fakes of its ports (synced empty cache, tokens {@link TEST_TOKENS}); pass
 * `auth: false` for an app without tokens.
 */
export function createTestApp(
  options: { settings?: Partial<AppSettings>; auth?: boolean; now?: () => Date } = {},
): TestApp {
  const readModel = createWorkerCache();
  readModel.markSynced();
  const commands = createFakeCommandPublisher();
  const history = createFakeHistoryClient();
  const feed = createFakeEventFeed();
  const ops = createFakeConnectionOps();
  const metrics = createApiMetrics();
  const natsConnected = { value: true };
  const tokens =
    options.auth === false
      ? []
      : [
          { name: "dashboard", role: "viewer" as const, sha256: sha256Hex(TEST_TOKENS.viewer) },
          { name: "ops-team", role: "operator" as const, sha256: sha256Hex(TEST_TOKENS.operator) },
        ];
  const api = createApp({
    readModel,
    commands,
    history,
    feed,
    ops,
    logger: createLogger({ service: "api", level: "silent" }),
    metrics,
    authenticator: createTokenAuthenticator(tokens),
    isNatsConnected: () => natsConnected.value,
    ...(options.now ? { now: options.now } : {}),
    settings: { registerWaitMs: 50, ...options.settings },
  });
  return {
    ...api,
    readModel,
    commands,
    history,
    feed,
    ops,
    natsConnected,
    scrape: metrics.scrape,
    auth: (role) => ({ authorization: `Bearer ${TEST_TOKENS[role]}` }),
  };
}
