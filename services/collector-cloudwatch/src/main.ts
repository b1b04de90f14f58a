import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { startAwsCollectorProcess } from "@cml-telemetry/aws";
import { ConfigError, loadServiceConfig } from "@cml-telemetry/config";
import { startCollectorCloudWatch } from "./start-collector-cloudwatch.ts";

const SERVICE = "collector-cloudwatch";

let config: ReturnType<typeof loadServiceConfig<typeof SERVICE>>;
try {
  config = loadServiceConfig(SERVICE, process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

// One client per region; credentials come from the SDK's default chain, AWS_ENDPOINT_URL_CLOUDWATCH is read by the SDK.
const runtime = await startAwsCollectorProcess({
  service: SERVICE,
  config,
  createClient: (options) => new CloudWatchClient(options),
});
const collector = await startCollectorCloudWatch({
  ...runtime.collectorOptions,
  intervalSeconds: config.COLLECT_INTERVAL_CLOUDWATCH_SECONDS,
});
runtime.ready(collector, {
  regions: config.CML_REGIONS,
  intervalSeconds: config.COLLECT_INTERVAL_CLOUDWATCH_SECONDS,
  metricsPort: runtime.metricsPort,
});

process.on("SIGTERM", () => void runtime.shutdown("SIGTERM").then(() => process.exit(0)));
process.on("SIGINT", () => void runtime.shutdown("SIGINT").then(() => process.exit(0)));
