import { loadServiceConfigOrExit } from "@cml-telemetry/config";
import { createEmbeddedStore, createMongoStore, type WorkerMetricsStore } from "@cml-telemetry/history-store";
import { onShutdownSignals } from "@cml-telemetry/observability";
import { applyHeapTuning, startServiceRuntime } from "@cml-telemetry/service-runtime";
import { startMetricsHistory } from "./start-metrics-history.ts";

const SERVICE = "metrics-history";

applyHeapTuning();
const config = loadServiceConfigOrExit(SERVICE, process.env);
const runtime = await startServiceRuntime({ service: SERVICE, config, checks: [] });
const { logger, health } = runtime;

const storeKind = config.MONGODB_URI ? "mongo" : "embedded";
const store: WorkerMetricsStore = config.MONGODB_URI
  ? await createMongoStore({
      uri: config.MONGODB_URI,
      dbName: config.MONGODB_DB,
      retentionDays: config.HISTORY_RETENTION_DAYS,
      logger,
    })
  : createEmbeddedStore({ retentionDays: config.HISTORY_RETENTION_DAYS });
const service = await startMetricsHistory({
  nc: runtime.nc,
  topology: runtime.topology,
  store,
  storeKind,
  logger,
  meter: runtime.metrics.meter,
  ops: runtime.ops,
  health,
  retentionCheckSeconds: config.HISTORY_RETENTION_CHECK_SECONDS,
});
onShutdownSignals({
  logger,
  stop: async () => {
    health.set("nats", false, "shutting down");
    await service.stop();
    await runtime.close();
    await store.close();
  },
});
await service.serving;
logger.info({ storeKind, metricsPort: runtime.metrics.port, ...service.progress() }, "ready");
