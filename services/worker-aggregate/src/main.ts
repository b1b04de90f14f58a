import { loadServiceConfigOrExit } from "@cml-telemetry/config";
import { onShutdownSignals } from "@cml-telemetry/observability";
import { applyHeapTuning, startServiceRuntime } from "@cml-telemetry/service-runtime";
import { createAggregateMetrics } from "./aggregate/aggregate-metrics.ts";
import { outboxRecoveryHealth } from "./aggregate/outbox-recovery-health.ts";
import { startWorkerAggregate } from "./start-worker-aggregate.ts";

const SERVICE = "worker-aggregate";

async function main(): Promise<void> {
  applyHeapTuning();
  const config = loadServiceConfigOrExit(SERVICE, process.env);
  const runtime = await startServiceRuntime({ service: SERVICE, config, checks: ["consumers", "outboxes"] });
  const { logger, health } = runtime;
  const aggregate = await startWorkerAggregate({
    nc: runtime.nc,
    topology: runtime.topology,
    logger,
    ops: runtime.ops,
    thresholdMinutes: config.IDLE_THRESHOLD_MINUTES,
    idleCheckIntervalSeconds: config.IDLE_CHECK_INTERVAL_SECONDS,
    metrics: createAggregateMetrics(runtime.metrics.meter),
    onRecoveryProgress: (progress) => {
      const { ready, detail } = outboxRecoveryHealth(progress);
      health.set("outboxes", ready, detail);
    },
  });
  health.set("consumers", true);
  logger.info({ metricsPort: runtime.metrics.port }, "ready");
  onShutdownSignals({
    logger,
    stop: async () => {
      health.set("consumers", false, "stopping");
      await aggregate.stop();
      await runtime.close();
    },
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `worker-aggregate failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
