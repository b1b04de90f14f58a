import { redactConfig } from "@cml-telemetry/config";
import { createTopology } from "@cml-telemetry/contracts";
import { connectNats, createOpsPublisher, type Logger, provisionTopology } from "@cml-telemetry/messaging";
import { createHealth, createLogger, createMetrics, type LoggerOptions } from "@cml-telemetry/observability";
import { type AwsClientOptions, awsClientOptions, createRegionClients } from "./client-options.ts";
import type { AwsCollectorOptions } from "./collector-options.ts";

/** The AWS-polling collector services. */
export type AwsCollectorService = "collector-ec2" | "collector-cloudwatch";

/** The settings of a collector's config that {@link startAwsCollectorProcess} reads. */
export interface AwsCollectorProcessConfig {
  readonly LOG_LEVEL: LoggerOptions["level"];
  readonly METRICS_PORT: number;
  readonly NATS_URL: string;
  readonly NATS_CREDS?: string | undefined;
  readonly TELEMETRY_RETENTION_DAYS: number;
  readonly CML_REGIONS: readonly string[];
}

/** The process-level parts of a collector replica, built before the collector itself. */
export interface AwsCollectorProcess<Client> {
  readonly logger: Logger;
  /** The shared dependencies of the collector: NATS, topology, logger, ops, meter and one SDK client per region. */
  readonly collectorOptions: Pick<
    AwsCollectorOptions<Client>,
    "nc" | "topology" | "logger" | "ops" | "meter" | "clients"
  >;
  /** Bound port of the metrics server (0 when disabled). */
  readonly metricsPort: number;
  /** Marks the collector ready on `/readyz` and logs `ready` with `fields`. */
  ready(collector: { stop(): Promise<void> }, fields: object): void;
  /**
   * Stops the replica once (later calls wait for the first): readiness off, the collector (tickers, consumers
   * drained), ops flushed, NATS drained, SDK clients destroyed, metrics server closed.
   */
  shutdown(): Promise<void>;
}

/**
 * Starts what every AWS collector process runs around its collector: the logger (logging the redacted config), the
 * health checks `nats` and `collector`, the metrics server on `METRICS_PORT`, the NATS connection, the provisioned
 * topology, the ops publisher and one SDK client per region (adaptive retries, see {@link awsClientOptions}).
 */
export async function startAwsCollectorProcess<Client extends { destroy(): void }>(options: {
  service: AwsCollectorService;
  config: AwsCollectorProcessConfig;
  createClient: (clientOptions: AwsClientOptions) => Client;
}): Promise<AwsCollectorProcess<Client>> {
  const { service, config } = options;
  const logger = createLogger({ service, level: config.LOG_LEVEL });
  logger.info({ config: redactConfig(config) }, "starting");
  const health = createHealth(["nats", "collector"]);
  const metrics = await createMetrics({ service, port: config.METRICS_PORT, health });
  const nc = await connectNats({ url: config.NATS_URL, creds: config.NATS_CREDS, name: service, logger });
  health.set("nats", true);
  const topology = createTopology({ telemetryRetentionDays: config.TELEMETRY_RETENTION_DAYS });
  await provisionTopology(nc, topology, { logger });
  const ops = createOpsPublisher({ nc, service, logger });
  const clients = createRegionClients(config.CML_REGIONS, (region) =>
    options.createClient(awsClientOptions(region)),
  );
  let collector: { stop(): Promise<void> } | undefined;
  let stopping: Promise<void> | undefined;
  return {
    logger,
    collectorOptions: { nc, topology, logger, ops, meter: metrics.meter, clients },
    metricsPort: metrics.port,
    ready(started, fields) {
      collector = started;
      health.set("collector", true);
      logger.info(fields, "ready");
    },
    shutdown() {
      stopping ??= (async () => {
        health.set("collector", false, "stopping");
        await collector?.stop();
        await ops.flush();
        await nc.drain();
        for (const client of clients.values()) client.destroy();
        await metrics.close();
      })();
      return stopping;
    },
  };
}
