import { healthPort } from "./health-port.ts";
import { isServiceName } from "./service-schemas.ts";

/**
 * Container health probe: `SERVICE=<name> node libs/config/src/healthcheck.ts` exits 0 when the service's `/healthz`
 * answers 200 on 127.0.0.1, 1 otherwise. A service without a fixed health port (`METRICS_PORT=0`, or the api's
 * `API_PORT=0`) counts as healthy.
 */
async function main(env: NodeJS.ProcessEnv): Promise<number> {
  const service = env.SERVICE ?? "";
  if (!isServiceName(service)) {
    process.stderr.write(`healthcheck: SERVICE must name a service, got ${JSON.stringify(service)}\n`);
    return 1;
  }
  const port = healthPort(service, env);
  if (port === 0) {
    const why = service === "api" ? "API_PORT=0: its port is chosen at start" : "METRICS_PORT=0";
    process.stdout.write(`healthcheck: ${service} has no health endpoint to probe (${why})\n`);
    return 0;
  }
  const response = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(3000) });
  process.stdout.write(`healthcheck: ${service} /healthz ${response.status}\n`);
  return response.ok ? 0 : 1;
}

if (import.meta.main) {
  main(process.env).then(
    (code) => process.exit(code),
    (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`healthcheck: ${message}\n`);
      process.exit(1);
    },
  );
}
