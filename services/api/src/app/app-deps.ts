import type { Meter } from "@opentelemetry/api";
import type { Logger } from "pino";
import type { TokenAuthenticator } from "../auth/token-authenticator.ts";
import type { QueueLimits } from "../live/bounded-event-queue.ts";
import type { CommandPublisher, ConnectionOps, EventFeed, HistoryClient, WorkerReadModel } from "../ports.ts";

/** Tunables of the API (from config in `main.ts`, small values in tests). */
export interface AppSettings {
  /** `IDLE_THRESHOLD_MINUTES` (default 30). */
  idleThresholdMinutes: number;
  /** `REFRESH_WAIT_MAX_SECONDS`: upper bound of `?wait=` and how long a refresh counts as in flight. */
  refreshWaitMaxSeconds: number;
  /** `API_MAX_BODY_BYTES`. */
  maxBodyBytes: number;
  /** `API_CORS_ORIGINS`; empty = CORS off. */
  corsOrigins: readonly string[];
  /** How long `POST /workers` waits for the KV to show a new worker before answering without it. */
  registerWaitMs: number;
  /** SSE heartbeat comment interval. */
  heartbeatMs: number;
  /** Per-client live queue bounds. */
  queueLimits: QueueLimits;
}

/** Default settings (DESIGN §7/§8 defaults). */
export const DEFAULT_SETTINGS: AppSettings = {
  idleThresholdMinutes: 30,
  refreshWaitMaxSeconds: 30,
  maxBodyBytes: 65_536,
  corsOrigins: [],
  registerWaitMs: 2_000,
  heartbeatMs: 15_000,
  queueLimits: { maxEvents: 1_000, maxBytes: 1_048_576 },
};

/** Everything the HTTP app needs, passed in (ports are faked in tests). */
export interface AppDeps {
  readModel: WorkerReadModel;
  commands: CommandPublisher;
  history: HistoryClient;
  feed: EventFeed;
  ops: ConnectionOps;
  logger: Logger;
  /** Meter for worker gauges and HTTP self-metrics, and the Prometheus text of its reader. */
  metrics: { meter: Meter; scrape(): Promise<string> };
  authenticator: TokenAuthenticator;
  /** Whether the NATS connection is currently up (readiness). */
  isNatsConnected(): boolean;
  now?: () => Date;
  settings?: Partial<AppSettings>;
}
