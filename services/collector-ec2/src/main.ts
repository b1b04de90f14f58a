import { EC2Client } from "@aws-sdk/client-ec2";
import { startAwsCollectorProcess } from "@cml-telemetry/aws";
import { ConfigError, loadServiceConfig } from "@cml-telemetry/config";
import { onShutdownSignals } from "@cml-telemetry/observability";
import { applyHeapTuning } from "@cml-telemetry/service-runtime";
import { startCollectorEc2 } from "./start-collector-ec2.ts";
import { parseWorkerTag } from "./worker-tag.ts";

const SERVICE = "collector-ec2";

applyHeapTuning();
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

// One client per region; credentials come from the SDK's default chain, AWS_ENDPOINT_URL_EC2 is read by the SDK.
const runtime = await startAwsCollectorProcess({
  service: SERVICE,
  config,
  createClient: (options) => new EC2Client(options),
});
const collector = await startCollectorEc2({
  ...runtime.collectorOptions,
  tag,
  intervalSeconds: config.COLLECT_INTERVAL_EC2_SECONDS,
  discoveryIntervalSeconds: config.DISCOVERY_INTERVAL_SECONDS,
  notFoundGraceSeconds: config.EC2_NOT_FOUND_GRACE_SECONDS,
});
runtime.ready(collector, {
  regions: config.CML_REGIONS,
  tag: config.CML_WORKER_TAG,
  metricsPort: runtime.metricsPort,
});

onShutdownSignals({ logger: runtime.logger, stop: runtime.shutdown });
