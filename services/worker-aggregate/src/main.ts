import { loadServiceConfigOrExit, redactConfig } from "@cml-telemetry/config";
import { createTopology } from "@cml-telemetry/contracts";
import { connectNats, createOpsPublisher, provisionTopology } from "@cml-telemetry/messaging";
import { createHealth, createLogger, createMetrics, onShutdownSignals } from "@cml-telemetry/observability";
import { createAggregateMetrics } from "./aggregate/aggregate-metrics.ts";
import { applyHeapTuning } from "./heap-tuning.ts";
import { startWorkerAggregate } from "./start-worker-aggregate.ts";

const SERVICE = "worker-aggregate";

async function main(): Promise<void> {
  applyHeapTuning();
  const config = loadServiceConfigOrExit(SERVICE, process.env);
  const logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
  const health = createHealth(["nats", "consumers"]);
  const metrics = await createMetrics({ service: SERVICE, port: config.METRICS_PORT, health });
  const nc = await connectNats({ url: config.NATS_URL, creds: config.NATS_CREDS, name: SERVICE, logger });
  health.set("nats", true);
  const topology = createTopology({ telemetryRetentionDays: config.TELEMETRY_RETENTION_DAYS });
  await provisionTopology(nc, topology, { logger });
  const ops = createOpsPublisher({ nc, service: SERVICE, logger });
  const aggregate = await startWorkerAggregate({
    nc,
    topology,
    logger,
    ops,
    thresholdMinutes: config.IDLE_THRESHOLD_MINUTES,
    idleCheckIntervalSeconds: config.IDLE_CHECK_INTERVAL_SECONDS,
    metrics: createAggregateMetrics(metrics.meter),
  });
  health.set("consumers", true);
  logger.info({ config: redactConfig(config), metricsPort: metrics.port }, "ready");

  onShutdownSignals({
    logger,
    stop: async () => {
      health.set("consumers", false, "stopping");
      await aggregate.stop();
      await ops.flush();
      await nc.drain();
      await metrics.close();
    },
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `worker-aggregate failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
