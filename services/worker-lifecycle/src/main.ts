import { EC2Client } from "@aws-sdk/client-ec2";
import { PricingClient } from "@aws-sdk/client-pricing";
import { awsClientOptions, createRegionClients } from "@cml-telemetry/aws";
import { loadServiceConfigOrExit } from "@cml-telemetry/config";
import { cmlFreshSecondsOf } from "@cml-telemetry/lifecycle";
import { onShutdownSignals } from "@cml-telemetry/observability";
import { applyHeapTuning, startServiceRuntime } from "@cml-telemetry/service-runtime";
import { createLifecycleMetrics } from "./metrics/lifecycle-metrics.ts";
import { describePermissionChecks } from "./permissions/check-permissions.ts";
import { createPricingLookup } from "./prices/pricing-lookup.ts";
import { PricesFileError, readPricesFile } from "./prices/read-prices-file.ts";
import { startWorkerLifecycle } from "./start-worker-lifecycle.ts";

const SERVICE = "worker-lifecycle";

async function main(): Promise<void> {
  applyHeapTuning();
  const config = loadServiceConfigOrExit(SERVICE, process.env);
  let priceFileEntries: ReturnType<typeof readPricesFile> = new Map();
  try {
    if (config.PRICES_FILE !== undefined) priceFileEntries = readPricesFile(config.PRICES_FILE, new Date());
  } catch (error) {
    if (!(error instanceof PricesFileError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  const runtime = await startServiceRuntime({
    service: SERVICE,
    config,
    checks: ["consumer", "permissions"],
  });
  const { logger, health } = runtime;
  health.set("permissions", true, "checking with DryRun");
  const metrics = createLifecycleMetrics(runtime.metrics.meter);
  // Credentials come from the SDK's default chain; AWS_ENDPOINT_URL_EC2 / _PRICING are read by the SDK itself.
  const ec2Clients = createRegionClients(
    config.CML_REGIONS,
    (region) => new EC2Client(awsClientOptions(region)),
  );
  const pricingClient = new PricingClient(awsClientOptions(config.PRICING_REGION));
  const lifecycle = await startWorkerLifecycle({
    nc: runtime.nc,
    topology: runtime.topology,
    logger,
    ec2Clients,
    pricing: (caller) =>
      createPricingLookup({ client: pricingClient, caller, endpointRegion: config.PRICING_REGION }),
    priceFileEntries,
    policy: {
      mode: config.IDLE_STOP_MODE,
      thresholdMinutes: config.IDLE_THRESHOLD_MINUTES,
      cmlFreshSeconds: cmlFreshSecondsOf(config.COLLECT_INTERVAL_CML_SECONDS),
      snoozeMinutes: config.IDLE_STOP_SNOOZE_MINUTES,
      windows: config.IDLE_STOP_WINDOWS,
    },
    idleCheckIntervalSeconds: config.IDLE_CHECK_INTERVAL_SECONDS,
    metrics,
    onPermissions: (checks) => {
      const detail = describePermissionChecks(checks);
      health.set("permissions", true, detail);
      const missing = checks.filter((check) => check.state !== "allowed");
      if (missing.length > 0) logger.warn({ permissions: checks }, `EC2 permissions: ${detail}`);
      else logger.info({ permissions: checks }, "EC2 permissions checked with DryRun");
    },
  });
  health.set("consumer", true);
  logger.info(
    {
      metricsPort: runtime.metrics.port,
      regions: config.CML_REGIONS,
      idleStopMode: config.IDLE_STOP_MODE,
      idleStopWindows: config.IDLE_STOP_WINDOWS.map((window) => window.text),
      pricesFromFile: priceFileEntries.size,
    },
    "ready",
  );
  onShutdownSignals({
    logger,
    stop: async () => {
      health.set("consumer", false, "stopping");
      await lifecycle.stop();
      await runtime.close();
      for (const client of ec2Clients.values()) client.destroy();
      pricingClient.destroy();
    },
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `worker-lifecycle failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
