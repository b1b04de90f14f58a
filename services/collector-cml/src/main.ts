import { loadServiceConfigOrExit, redactConfig } from "@cml-telemetry/config";
import { createTopology } from "@cml-telemetry/contracts";
import { connectNats, createOpsPublisher, provisionTopology } from "@cml-telemetry/messaging";
import { createHealth, createLogger, createMetrics, onShutdownSignals } from "@cml-telemetry/observability";
import { startCollectorCml } from "./start-collector-cml.ts";

const SERVICE = "collector-cml";

const config = loadServiceConfigOrExit(SERVICE, process.env);

const logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
const health = createHealth(["nats", "collector"]);
const metrics = await createMetrics({ service: SERVICE, port: config.METRICS_PORT, health });
const nc = await connectNats({ url: config.NATS_URL, creds: config.NATS_CREDS, name: SERVICE, logger });
health.set("nats", true);
const topology = createTopology({ telemetryRetentionDays: config.TELEMETRY_RETENTION_DAYS });
await provisionTopology(nc, topology, { logger });
const ops = createOpsPublisher({ nc, service: SERVICE, logger });
const collector = await startCollectorCml({
  nc,
  topology,
  logger,
  ops,
  meter: metrics.meter,
  intervalSeconds: config.COLLECT_INTERVAL_CML_SECONDS,
  cml: {
    username: config.CML_USERNAME,
    password: config.CML_PASSWORD,
    verifyTls: config.CML_VERIFY_TLS,
    caFile: config.CML_CA_FILE,
    timeoutSeconds: config.CML_TIMEOUT_SECONDS,
    concurrency: config.CML_CONCURRENCY,
  },
});
health.set("collector", true);
logger.info({ config: redactConfig(config), metricsPort: metrics.port }, "ready");

onShutdownSignals({
  logger,
  stop: async () => {
    health.set("collector", false, "stopping");
    await collector.stop();
    await ops.flush();
    await nc.drain();
    await metrics.close();
  },
});
