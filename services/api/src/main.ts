import { loadServiceConfig } from "@cml-telemetry/config";
import { createTopology } from "@cml-telemetry/contracts";
import { connectNats } from "@cml-telemetry/messaging";
import { createLogger, onShutdownSignals } from "@cml-telemetry/observability";
import { startApi } from "./start-api.ts";

const LOOPBACK = "127.0.0.1";

const config = loadServiceConfig("api", process.env);
const logger = createLogger({ service: "api", level: config.LOG_LEVEL });

let host = config.API_HOST;
if (config.API_TOKENS.length === 0) {
  if (host !== LOOPBACK)
    logger.warn({ requestedHost: host }, "ignoring API_HOST: without API_TOKENS the API binds loopback only");
  host = LOOPBACK;
  logger.warn({ host }, "API_TOKENS is not set: authentication is OFF and the API listens on 127.0.0.1 only");
}

const nc = await connectNats({ url: config.NATS_URL, creds: config.NATS_CREDS, name: "api", logger });
const running = await startApi({
  nc,
  topology: createTopology({ telemetryRetentionDays: config.TELEMETRY_RETENTION_DAYS }),
  logger,
  tokens: config.API_TOKENS,
  host,
  port: config.API_PORT,
  settings: {
    idleThresholdMinutes: config.IDLE_THRESHOLD_MINUTES,
    refreshWaitMaxSeconds: config.REFRESH_WAIT_MAX_SECONDS,
    maxBodyBytes: config.API_MAX_BODY_BYTES,
    corsOrigins: config.API_CORS_ORIGINS,
  },
});
logger.info(
  { url: running.url, docs: `${running.url}/api/v1/docs`, auth: config.API_TOKENS.length > 0 },
  "api ready",
);

onShutdownSignals({
  logger,
  stop: async () => {
    await running.stop();
    await nc.drain();
  },
});
