import { loadServiceConfigOrExit, redactConfig } from "@cml-telemetry/config";
import { createTopology } from "@cml-telemetry/contracts";
import { createEmbeddedStore, createMongoStore, type WorkerMetricsStore } from "@cml-telemetry/history-store";
import { connectNats, createOpsPublisher, provisionTopology } from "@cml-telemetry/messaging";
import { createHealth, createLogger, createMetrics, onShutdownSignals } from "@cml-telemetry/observability";
import { startMetricsHistory } from "./start-metrics-history.ts";

const SERVICE = "metrics-history";

const config = loadServiceConfigOrExit(SERVICE, process.env);

const logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
logger.info({ config: redactConfig(config) }, "starting");
const health = createHealth(["nats"]);
const metrics = await createMetrics({ service: SERVICE, port: config.METRICS_PORT, health });
const nc = await connectNats({ url: config.NATS_URL, creds: config.NATS_CREDS, name: SERVICE, logger });
health.set("nats", true);
const topology = createTopology({ telemetryRetentionDays: config.TELEMETRY_RETENTION_DAYS });
await provisionTopology(nc, topology, { logger });

const storeKind = config.MONGODB_URI ? "mongo" : "embedded";
const store: WorkerMetricsStore = config.MONGODB_URI
  ? await createMongoStore({
      uri: config.MONGODB_URI,
      dbName: config.MONGODB_DB,
      retentionDays: config.HISTORY_RETENTION_DAYS,
      logger,
    })
  : createEmbeddedStore({ retentionDays: config.HISTORY_RETENTION_DAYS });
const ops = createOpsPublisher({ nc, service: SERVICE, logger });
const service = await startMetricsHistory({
  nc,
  topology,
  store,
  storeKind,
  logger,
  meter: metrics.meter,
  ops,
  health,
  retentionCheckSeconds: config.HISTORY_RETENTION_CHECK_SECONDS,
});
onShutdownSignals({
  logger,
  stop: async () => {
    health.set("nats", false, "shutting down");
    await service.stop();
    await ops.flush();
    await nc.drain();
    await store.close();
    await metrics.close();
  },
});
await service.serving;
logger.info({ storeKind, metricsPort: metrics.port, ...service.progress() }, "ready");
