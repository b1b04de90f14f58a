import type { EnvSource } from "./parse-env.ts";
import { loadServiceConfig, type ServiceName } from "./service-schemas.ts";

/**
 * Port serving `/healthz` and `/readyz` for a service: `API_PORT` for the api, `METRICS_PORT` otherwise (0 = none).
 * @throws {ConfigError} when the environment is invalid.
 */
export function healthPort(service: ServiceName, env: EnvSource): number {
  if (service === "api") return loadServiceConfig("api", env).API_PORT;
  return loadServiceConfig(service, env).METRICS_PORT;
}
