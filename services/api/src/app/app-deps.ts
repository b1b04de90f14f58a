import type { IdleStopMode, Source } from "@cml-telemetry/contracts";
import type { MaintenanceWindow } from "@cml-telemetry/lifecycle";
import type { Meter } from "@opentelemetry/api";
import type { Logger } from "pino";
import type { TokenAuthenticator } from "../auth/token-authenticator.ts";
import type { QueueLimits } from "../live/bounded-event-queue.ts";
import type {
  CommandPublisher,
  ConnectionOps,
  EventFeed,
  HistoryClient,
  PriceBook,
  RefreshLedger,
  WorkerReadModel,
} from "../ports.ts";

/** Tunables of the API (from config in `main.ts`, small values in tests). */
export interface AppSettings {
  /** `IDLE_THRESHOLD_MINUTES` (default 30). */
  idleThresholdMinutes: number;
  /** `REFRESH_WAIT_MAX_SECONDS`: upper bound of `?wait=` and how long a refresh counts as in flight. */
  refreshWaitMaxSeconds: number;
  /** `REFRESH_MIN_INTERVAL_SECONDS`: minimum time between the starts of two refreshes of a worker. */
  refreshMinIntervalSeconds: number;
  /** `API_MAX_BODY_BYTES`. */
  maxBodyBytes: number;
  /** `API_CORS_ORIGINS`; empty = CORS off. `*` is refused without tokens. */
  corsOrigins: readonly string[];
  /** `METRICS_TOKEN`: SHA-256 of a token good for `/metrics` only. */
  metricsTokenSha256: string | undefined;
  /** How long `POST /workers` waits for the KV to show a registration before answering without it. */
  registerWaitMs: number;
  /** SSE heartbeat comment interval. */
  heartbeatMs: number;
  /** Per-client live queue bounds. */
  queueLimits: QueueLimits;
  /** `API_LIVE_MAX_CONNECTIONS`: live clients (SSE + WebSocket) of this process. */
  maxLiveConnections: number;
  /** `API_LIVE_MAX_CONNECTIONS_PER_TOKEN`: live clients of one token (of everyone without tokens). */
  maxLiveConnectionsPerToken: number;
  /** `API_SSE_WRITE_TIMEOUT_SECONDS` in ms: an SSE client whose write does not complete in time is dropped. */
  sseWriteTimeoutMs: number;
  /** `API_WS_MAX_SUBSCRIPTIONS`. */
  wsMaxSubscriptions: number;
  /** `API_WS_MAX_MESSAGE_BYTES`: largest inbound WebSocket message. */
  wsMaxMessageBytes: number;
  /** `API_WS_PING_INTERVAL_SECONDS` in ms. */
  wsPingIntervalMs: number;
  /**
   * `COLLECT_INTERVAL_<SOURCE>_SECONDS`, shown to the dashboard for staleness; the CML one also sets how fresh CML
   * data must be for the idle policy (two intervals).
   */
  collectIntervalsSeconds: Readonly<Record<Source, number>>;
  /** `IDLE_STOP_MODE` (the workers' `idle_policy` shows what worker-lifecycle, given the same value, decides). */
  idleStopMode: IdleStopMode;
  /** `IDLE_STOP_SNOOZE_MINUTES`. */
  idleStopSnoozeMinutes: number;
  /** `IDLE_STOP_WINDOWS`. */
  idleStopWindows: readonly MaintenanceWindow[];
  /** `LIFECYCLE_WAIT_MAX_SECONDS`: upper bound of `?wait=` on start, stop and terminate. */
  lifecycleWaitMaxSeconds: number;
}

/** Default settings (the config defaults, `libs/config/src/services/api.ts`). */
export const DEFAULT_SETTINGS: AppSettings = {
  idleThresholdMinutes: 30,
  refreshWaitMaxSeconds: 30,
  refreshMinIntervalSeconds: 10,
  maxBodyBytes: 65_536,
  corsOrigins: [],
  metricsTokenSha256: undefined,
  registerWaitMs: 2_000,
  heartbeatMs: 15_000,
  queueLimits: { maxEvents: 1_000, maxBytes: 1_048_576 },
  maxLiveConnections: 1_000,
  maxLiveConnectionsPerToken: 100,
  sseWriteTimeoutMs: 30_000,
  wsMaxSubscriptions: 32,
  wsMaxMessageBytes: 65_536,
  wsPingIntervalMs: 30_000,
  collectIntervalsSeconds: { ec2: 60, cloudwatch: 60, cml: 60 },
  idleStopMode: "off",
  idleStopSnoozeMinutes: 60,
  idleStopWindows: [],
  lifecycleWaitMaxSeconds: 60,
};

/** Everything the HTTP app needs, passed in (ports are faked in tests). */
export interface AppDeps {
  readModel: WorkerReadModel;
  commands: CommandPublisher;
  history: HistoryClient;
  feed: EventFeed;
  ops: ConnectionOps;
  /** On-demand hourly prices (KV `cml_prices`), for the workers' `cost`, the fleet totals and the cost gauges. */
  prices: PriceBook;
  /** The last refresh of each worker, shared by every replica (KV `cml_api_refreshes`). */
  refreshLedger: RefreshLedger;
  logger: Logger;
  /** Meters for HTTP self-metrics and worker gauges, and the Prometheus text of both. */
  metrics: { meter: Meter; workerMeter: Meter; scrape(): Promise<string> };
  authenticator: TokenAuthenticator;
  /** Whether the NATS connection is currently up (readiness). */
  isNatsConnected(): boolean;
  now?: () => Date;
  settings?: Partial<AppSettings>;
}
