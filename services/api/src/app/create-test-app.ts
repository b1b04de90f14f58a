import { createLogger } from "@cml-telemetry/observability";
import { createTokenAuthenticator, sha256Hex } from "../auth/token-authenticator.ts";
import { createApiMetrics } from "../metrics/create-api-metrics.ts";
import type { RefreshLedger } from "../ports.ts";
import { createPriceCache, type PriceCache } from "../read-model/price-cache.ts";
import { createWorkerCache, type WorkerCache } from "../read-model/worker-cache.ts";
import { createFakeCommandPublisher, type FakeCommandPublisher } from "../testing/fake-command-publisher.ts";
import { createFakeConnectionOps, type FakeConnectionOps } from "../testing/fake-connection-ops.ts";
import { createFakeEventFeed, type FakeEventFeed } from "../testing/fake-event-feed.ts";
import { createFakeHistoryClient, type FakeHistoryClient } from "../testing/fake-history-client.ts";
import { createFakeRefreshLedger } from "../testing/fake-refresh-ledger.ts";
import type { AppSettings } from "./app-deps.ts";
import { type ApiApp, createApp } from "./create-app.ts";

/** Bearer tokens the test app accepts. */
export const TEST_TOKENS = { viewer: "viewer-secret-token", operator: "operator-secret-token" } as const;

/** The app under test with its fakes. */
export interface TestApp extends ApiApp {
  readModel: WorkerCache;
  /** Prices as KV `cml_prices` would hold them (empty: every price unknown). */
  prices: PriceCache;
  commands: FakeCommandPublisher;
  history: FakeHistoryClient;
  feed: FakeEventFeed;
  ops: FakeConnectionOps;
  refreshLedger: RefreshLedger;
  natsConnected: { value: boolean };
  scrape(): Promise<string>;
  /** Headers with the bearer token of a role. */
  auth(role: keyof typeof TEST_TOKENS): { authorization: string };
  /** Stops accepting the token of a role, as removing it from `API_TOKENS` and restarting would. */
  revoke(role: keyof typeof TEST_TOKENS): void;
  /** Accepts a revoked token again. */
  restore(role: keyof typeof TEST_TOKENS): void;
}

/** Options of {@link createTestApp}. */
export interface TestAppOptions {
  settings?: Partial<AppSettings>;
  /** False: no tokens configured (auth off, loopback only). */
  auth?: boolean;
  now?: () => Date;
  /** False: the worker cache has not loaded the bucket yet. */
  synced?: boolean;
  /** A ledger shared with another test app, as replicas share the KV bucket. */
  refreshLedger?: RefreshLedger;
}

/**
 * The API wired to in-memory fakes of its ports (synced empty cache, tokens {@link TEST_TOKENS}); pass
 * `auth: false` for an app without tokens.
 */
export function createTestApp(options: TestAppOptions = {}): TestApp {
  const readModel = createWorkerCache();
  if (options.synced !== false) readModel.markSynced();
  const prices = createPriceCache();
  prices.markSynced();
  const commands = createFakeCommandPublisher();
  const history = createFakeHistoryClient();
  const feed = createFakeEventFeed();
  const ops = createFakeConnectionOps();
  const refreshLedger = options.refreshLedger ?? createFakeRefreshLedger();
  const metrics = createApiMetrics();
  const natsConnected = { value: true };
  const revoked = new Set<string>();
  const tokens =
    options.auth === false
      ? []
      : [
          { name: "dashboard", role: "viewer" as const, sha256: sha256Hex(TEST_TOKENS.viewer) },
          { name: "ops-team", role: "operator" as const, sha256: sha256Hex(TEST_TOKENS.operator) },
        ];
  const tokenAuthenticator = createTokenAuthenticator(tokens);
  const api = createApp({
    readModel,
    prices,
    commands,
    history,
    feed,
    ops,
    refreshLedger,
    logger: createLogger({ service: "api", level: "silent" }),
    metrics,
    authenticator: {
      enabled: tokenAuthenticator.enabled,
      authenticate: (presented) =>
        revoked.has(presented) ? undefined : tokenAuthenticator.authenticate(presented),
    },
    isNatsConnected: () => natsConnected.value,
    ...(options.now ? { now: options.now } : {}),
    settings: { registerWaitMs: 50, ...options.settings },
  });
  return {
    ...api,
    readModel,
    prices,
    commands,
    history,
    feed,
    ops,
    refreshLedger,
    natsConnected,
    scrape: metrics.scrape,
    auth: (role) => ({ authorization: `Bearer ${TEST_TOKENS[role]}` }),
    revoke: (role) => {
      revoked.add(TEST_TOKENS[role]);
    },
    restore: (role) => {
      revoked.delete(TEST_TOKENS[role]);
    },
  };
}
