import type { z } from "zod";
import type { ConfigSchema } from "./config-fields.ts";
import { type EnvSource, parseEnv } from "./parse-env.ts";
import { apiConfigSchema } from "./services/api.ts";
import { collectorCloudWatchConfigSchema } from "./services/collector-cloudwatch.ts";
import { collectorCmlConfigSchema } from "./services/collector-cml.ts";
import { collectorEc2ConfigSchema } from "./services/collector-ec2.ts";
import { metricsHistoryConfigSchema } from "./services/metrics-history.ts";
import { workerAggregateConfigSchema } from "./services/worker-aggregate.ts";
import { workerLifecycleConfigSchema } from "./services/worker-lifecycle.ts";

/** Every service of the product, in pipeline order. */
export const SERVICE_NAMES = [
  "collector-ec2",
  "collector-cloudwatch",
  "collector-cml",
  "worker-aggregate",
  "metrics-history",
  "api",
  "worker-lifecycle",
] as const;

/** Name of a service (its folder under `services/`). */
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** The config schema of each service. */
export const serviceConfigSchemas = {
  "collector-ec2": collectorEc2ConfigSchema,
  "collector-cloudwatch": collectorCloudWatchConfigSchema,
  "collector-cml": collectorCmlConfigSchema,
  "worker-aggregate": workerAggregateConfigSchema,
  "metrics-history": metricsHistoryConfigSchema,
  api: apiConfigSchema,
  "worker-lifecycle": workerLifecycleConfigSchema,
} as const satisfies Record<ServiceName, ConfigSchema>;

/** Typed config of a service. */
export type ServiceConfig<S extends ServiceName> = z.output<(typeof serviceConfigSchemas)[S]>;

/**
 * Parses a service's environment with its schema.
 * @throws {ConfigError} listing every missing or invalid variable.
 * @example const config = loadServiceConfig("collector-cml", process.env);
 */
export function loadServiceConfig<S extends ServiceName>(service: S, env: EnvSource): ServiceConfig<S> {
  return parseEnv(serviceConfigSchemas[service], env, { context: service }) as ServiceConfig<S>;
}

/** Whether `name` is one of {@link SERVICE_NAMES}. */
export function isServiceName(name: string): name is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(name);
}
