import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { startAwsCollectorProcess } from "@cml-telemetry/aws";
import { loadServiceConfigOrExit } from "@cml-telemetry/config";
import { onShutdownSignals } from "@cml-telemetry/observability";
import { applyHeapTuning } from "@cml-telemetry/service-runtime";
import { startCollectorCloudWatch } from "./start-collector-cloudwatch.ts";

const SERVICE = "collector-cloudwatch";

applyHeapTuning();
const config = loadServiceConfigOrExit(SERVICE, process.env);

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

onShutdownSignals({ logger: runtime.logger, stop: runtime.shutdown });
