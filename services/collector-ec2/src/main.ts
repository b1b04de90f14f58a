import { EC2Client } from "@aws-sdk/client-ec2";
import { awsClientOptions, createRegionClients } from "@cml-telemetry/aws";
import { ConfigError, loadServiceConfig, redactConfig } from "@cml-telemetry/config";
import { createTopology } from "@cml-telemetry/contracts";
import { connectNats, createOpsPublisher, provisionTopology } from "@cml-telemetry/messaging";
import { createHealth, createLogger, createMetrics } from "@cml-telemetry/observability";
import { startCollectorEc2 } from "./start-collector-ec2.ts";
import { parseWorkerTag } from "./worker-tag.ts";

const SERVICE = "collector-ec2";

let config: ReturnType<typeof loadServiceConfig<typeof SERVICE>>;
let tag: ReturnType<typeof parseWorkerTag>;
try {
  config = loadServiceConfig(SERVICE, process.env);
  tag = parseWorkerTag(config.CML_WORKER_TAG);
} catch (error) {
  if (!(error instanceof ConfigError) && !(error instanceof RangeError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

const logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
logger.info({ config: redactConfig(config) }, "starting");
const health = createHealth(["nats", "collector"]);
const metrics = await createMetrics({ service: SERVICE, port: config.METRICS_PORT, health });
const nc = await connectNats({ url: config.NATS_URL, creds: config.NATS_CREDS, name: SERVICE, logger });
health.set("nats", true);
const topology = createTopology({ telemetryRetentionDays: config.TELEMETRY_RETENTION_DAYS });
await provisionTopology(nc, topology, { logger });
const ops = createOpsPublisher({ nc, service: SERVICE, logger });
// One client per region; credentials come from the SDK's default chain, AWS_ENDPOINT_URL_EC2 is read by the SDK.
const clients = createRegionClients(config.CML_REGIONS, (region) => new EC2Client(awsClientOptions(region)));
const collector = await startCollectorEc2({
  nc,
  topology,
  logger,
  ops,
  meter: metrics.meter,
  clients,
  tag,
  intervalSeconds: config.COLLECT_INTERVAL_EC2_SECONDS,
  discoveryIntervalSeconds: config.DISCOVERY_INTERVAL_SECONDS,
});
health.set("collector", true);
logger.info({ regions: config.CML_REGIONS, tag: config.CML_WORKER_TAG, metricsPort: metrics.port }, "ready");

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "stopping");
  health.set("collector", false, "stopping");
  await collector.stop();
  await ops.flush();
  await nc.drain();
  for (const client of clients.values()) client.destroy();
  await metrics.close();
  logger.info({}, "stopped");
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
