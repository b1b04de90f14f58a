import { consumerNames, subjects, type Topology } from "@cml-telemetry/contracts";
import type { WorkerMetricsStore } from "@cml-telemetry/history-store";
import type { Logger, OpsPublisher } from "@cml-telemetry/messaging";
import type { Health } from "@cml-telemetry/observability";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Meter } from "@opentelemetry/api";
import { startDurableTelemetryIngest } from "./ingest/durable-telemetry-ingest.ts";
import { startReplayTelemetryIngest } from "./ingest/replay-telemetry-ingest.ts";
import type { IngestProgress, TelemetryIngest } from "./ingest/telemetry-ingest.ts";
import { createHistoryMetrics } from "./metrics/history-metrics.ts";
import { type HistoryQueryServer, serveHistoryQueries } from "./query/serve-history-queries.ts";
import { type RetentionJob, startRetentionJob } from "./retention/retention-job.ts";

/** Which store backs this instance: `embedded` replays the stream per process, `mongo` shares one durable consumer. */
export type HistoryStoreKind = "embedded" | "mongo";

/** Dependencies of {@link startMetricsHistory}; `main.ts` builds them from the config. */
export interface MetricsHistoryDeps {
  readonly nc: NatsConnection;
  readonly topology: Topology;
  readonly store: WorkerMetricsStore;
  readonly storeKind: HistoryStoreKind;
  readonly logger: Logger;
  readonly meter: Meter;
  readonly ops: OpsPublisher;
  /** Readiness: `telemetry` (caught up) and `queries` (serving). */
  readonly health?: Health;
  /** `HISTORY_RETENTION_CHECK_SECONDS`. */
  readonly retentionCheckSeconds: number;
  /** Telemetry messages written per batch (default 1000 embedded, 500 MongoDB). */
  readonly batchSize?: number;
  /** Replay progress log interval, ms (default 5 s). */
  readonly progressLogIntervalMs?: number;
}

/** A running metrics-history instance. */
export interface MetricsHistoryService {
  /** Resolves once the store reflects the telemetry stream and queries are being served. */
  readonly serving: Promise<void>;
  progress(): IngestProgress;
  /** Stops queries (answering those in hand), the retention job and the consumer; the caller closes store and NATS. */
  stop(): Promise<void>;
}

/**
 * Starts ingest, the retention job and — once the store has caught up with `CML_TELEMETRY` — the query server.
 * Queries are only answered by instances that caught up: until then this instance stays out of the queue group
 * (and not ready), so a caught-up replica answers, or a caller gets "no responders" rather than partial history.
 */
export async function startMetricsHistory(deps: MetricsHistoryDeps): Promise<MetricsHistoryService> {
  deps.health?.register("telemetry");
  deps.health?.register("queries");
  const metrics = createHistoryMetrics(deps.meter, deps.store);
  const stream = deps.topology.streams.telemetry.name;
  const ingest: TelemetryIngest =
    deps.storeKind === "embedded"
      ? await startReplayTelemetryIngest({
          nc: deps.nc,
          stream,
          filterSubject: subjects.telemetryAll,
          store: deps.store,
          logger: deps.logger,
          metrics,
          batchSize: deps.batchSize ?? 1_000,
          progressLogIntervalMs: deps.progressLogIntervalMs ?? 5_000,
        })
      : await startDurableTelemetryIngest({
          nc: deps.nc,
          stream,
          durable: consumerNames.history,
          filterSubject: subjects.telemetryAll,
          store: deps.store,
          logger: deps.logger,
          metrics,
          batchSize: deps.batchSize ?? 500,
        });
  deps.health?.set("telemetry", false, deps.storeKind === "embedded" ? "replaying telemetry" : "starting");
  const retention: RetentionJob = startRetentionJob({
    store: deps.store,
    ops: deps.ops,
    logger: deps.logger,
    intervalSeconds: deps.retentionCheckSeconds,
  });

  let stopped = false;
  let queryServer: HistoryQueryServer | undefined;
  const serving = ingest.caughtUp.then(() => {
    deps.health?.set("telemetry", true);
    if (stopped) return;
    queryServer = serveHistoryQueries({ nc: deps.nc, store: deps.store, logger: deps.logger, metrics });
    deps.health?.set("queries", true);
    deps.logger.info({ storeKind: deps.storeKind }, "serving history queries");
  });
  return {
    serving,
    progress: () => ingest.progress(),
    async stop() {
      stopped = true;
      deps.health?.set("queries", false, "stopping");
      await queryServer?.stop();
      await retention.stop();
      await ingest.stop();
    },
  };
}
