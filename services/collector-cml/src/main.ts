import { loadServiceConfigOrExit } from "@cml-telemetry/config";
import { onShutdownSignals } from "@cml-telemetry/observability";
import { applyHeapTuning, startServiceRuntime } from "@cml-telemetry/service-runtime";
import { startCollectorCml } from "./start-collector-cml.ts";

const SERVICE = "collector-cml";

applyHeapTuning();
const config = loadServiceConfigOrExit(SERVICE, process.env);
const runtime = await startServiceRuntime({ service: SERVICE, config, checks: ["collector"] });
const { logger, health } = runtime;
const collector = await startCollectorCml({
  nc: runtime.nc,
  topology: runtime.topology,
  logger,
  ops: runtime.ops,
  meter: runtime.metrics.meter,
  intervalSeconds: config.COLLECT_INTERVAL_CML_SECONDS,
  cml: {
    username: config.CML_USERNAME,
    password: config.CML_PASSWORD,
    verifyTls: config.CML_VERIFY_TLS,
    caFile: config.CML_CA_FILE,
    serverName: config.CML_TLS_SERVER_NAME,
    pin: config.CML_TLS_PIN,
    timeoutSeconds: config.CML_TIMEOUT_SECONDS,
    concurrency: config.CML_CONCURRENCY,
  },
});
health.set("collector", true);
logger.info({ metricsPort: runtime.metrics.port }, "ready");
onShutdownSignals({
  logger,
  stop: async () => {
    health.set("collector", false, "stopping");
    await collector.stop();
    await runtime.close();
  },
});
