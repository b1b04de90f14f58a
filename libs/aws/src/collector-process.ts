import type { Logger } from "@cml-telemetry/messaging";
import { type ServiceRuntimeConfig, startServiceRuntime } from "@cml-telemetry/service-runtime";
import { type AwsClientOptions, awsClientOptions, createRegionClients } from "./client-options.ts";
import type { AwsCollectorOptions } from "./collector-options.ts";

/** The AWS-polling collector services. */
export type AwsCollectorService = "collector-ec2" | "collector-cloudwatch";

/** The settings of a collector's config that {@link startAwsCollectorProcess} reads. */
export interface AwsCollectorProcessConfig extends ServiceRuntimeConfig {
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
   * drained), the service runtime closed (ops flushed, NATS drained, metrics server closed), SDK clients destroyed.
   */
  shutdown(): Promise<void>;
}

/**
 * Starts what every AWS collector process runs around its collector: the service runtime (logger, health checks
 * `nats` and `collector`, metrics server, NATS connection, provisioned topology, ops publisher; see
 * `startServiceRuntime`) and one SDK client per region (adaptive retries, see {@link awsClientOptions}).
 */
export async function startAwsCollectorProcess<Client extends { destroy(): void }>(options: {
  service: AwsCollectorService;
  config: AwsCollectorProcessConfig;
  createClient: (clientOptions: AwsClientOptions) => Client;
}): Promise<AwsCollectorProcess<Client>> {
  const { service, config } = options;
  const runtime = await startServiceRuntime({ service, config, checks: ["collector"] });
  const { logger, health, nc, topology, ops, metrics } = runtime;
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
        await runtime.close();
        for (const client of clients.values()) client.destroy();
      })();
      return stopping;
    },
  };
}
