import { redactConfig } from "@cml-telemetry/config";
import { createTopology, type ServiceName, type Topology } from "@cml-telemetry/contracts";
import {
  connectNats,
  createOpsPublisher,
  type OpsPublisher,
  provisionTopology,
} from "@cml-telemetry/messaging";
import {
  createHealth,
  createLogger,
  createMetrics,
  type Health,
  type Logger,
  type LoggerOptions,
  type Metrics,
} from "@cml-telemetry/observability";
import type { NatsConnection } from "@nats-io/transport-node";

/** The settings of a service's config that {@link startServiceRuntime} reads (every service config has them). */
export interface ServiceRuntimeConfig {
  readonly LOG_LEVEL: LoggerOptions["level"];
  readonly METRICS_PORT: number;
  readonly NATS_URL: string;
  readonly NATS_CREDS?: string | undefined;
  readonly TELEMETRY_RETENTION_DAYS: number;
}

/** What every service process runs around its own work. */
export interface ServiceRuntime {
  readonly logger: Logger;
  /** Readiness on `/readyz`: `nats` (set once connected) plus the checks the service named. */
  readonly health: Health;
  readonly metrics: Metrics;
  readonly nc: NatsConnection;
  /** The provisioned streams and KV bucket of DESIGN §4. */
  readonly topology: Topology;
  readonly ops: OpsPublisher;
  /** Closes the runtime's own parts after the service stopped: ops flushed, NATS drained, metrics server closed. */
  close(): Promise<void>;
}

/**
 * Starts what every service process runs around its work, in order: the logger (logging `starting` with the
 * redacted config), the health checks (`nats` and `checks`, all not ready), the metrics server on `METRICS_PORT`,
 * the NATS connection (retried while NATS is not up yet), the provisioned topology and the ops publisher.
 * @example const runtime = await startServiceRuntime({ service: "collector-cml", config, checks: ["collector"] });
 */
export async function startServiceRuntime(options: {
  readonly service: ServiceName;
  readonly config: ServiceRuntimeConfig;
  /** Readiness checks of the service itself (e.g. `consumers`), set by the service once it runs. */
  readonly checks: readonly string[];
}): Promise<ServiceRuntime> {
  const { service, config } = options;
  const logger = createLogger({ service, level: config.LOG_LEVEL });
  logger.info({ config: redactConfig(config) }, "starting");
  const health = createHealth(["nats", ...options.checks]);
  const metrics = await createMetrics({ service, port: config.METRICS_PORT, health });
  const nc = await connectNats({ url: config.NATS_URL, creds: config.NATS_CREDS, name: service, logger });
  health.set("nats", true);
  const topology = createTopology({ telemetryRetentionDays: config.TELEMETRY_RETENTION_DAYS });
  await provisionTopology(nc, topology, { logger });
  const ops = createOpsPublisher({ nc, service, logger });
  return {
    logger,
    health,
    metrics,
    nc,
    topology,
    ops,
    async close() {
      await ops.flush();
      await nc.drain();
      await metrics.close();
    },
  };
}
