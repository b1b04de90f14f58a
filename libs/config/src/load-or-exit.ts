import { ConfigError } from "./config-error.ts";
import type { EnvSource } from "./parse-env.ts";
import { loadServiceConfig, type ServiceConfig, type ServiceName } from "./service-schemas.ts";

/**
 * A service's configuration for its `main.ts`: on bad or missing variables it prints the one message listing all
 * of them to stderr and exits with code 1 (anything else is thrown).
 */
export function loadServiceConfigOrExit<S extends ServiceName>(service: S, env: EnvSource): ServiceConfig<S> {
  try {
    return loadServiceConfig(service, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
