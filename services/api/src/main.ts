import { loadServiceConfig } from "@cml-telemetry/config";
import { createTopology } from "@cml-telemetry/contracts";
import { connectNats } from "@cml-telemetry/messaging";
import { createLogger, onShutdownSignals } from "@cml-telemetry/observability";
import { applyHeapTuning } from "@cml-telemetry/service-runtime";
import { startApi } from "./start-api.ts";

const LOOPBACK = "127.0.0.1";

applyHeapTuning();
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
    refreshMinIntervalSeconds: config.REFRESH_MIN_INTERVAL_SECONDS,
    maxBodyBytes: config.API_MAX_BODY_BYTES,
    corsOrigins: config.API_CORS_ORIGINS,
    metricsTokenSha256: config.METRICS_TOKEN?.toLowerCase(),
    maxLiveConnections: config.API_LIVE_MAX_CONNECTIONS,
    maxLiveConnectionsPerToken: config.API_LIVE_MAX_CONNECTIONS_PER_TOKEN,
    sseWriteTimeoutMs: config.API_SSE_WRITE_TIMEOUT_SECONDS * 1000,
    wsMaxSubscriptions: config.API_WS_MAX_SUBSCRIPTIONS,
    wsMaxMessageBytes: config.API_WS_MAX_MESSAGE_BYTES,
    wsPingIntervalMs: config.API_WS_PING_INTERVAL_SECONDS * 1000,
    collectIntervalsSeconds: {
      ec2: config.COLLECT_INTERVAL_EC2_SECONDS,
      cloudwatch: config.COLLECT_INTERVAL_CLOUDWATCH_SECONDS,
      cml: config.COLLECT_INTERVAL_CML_SECONDS,
    },
    idleStopMode: config.IDLE_STOP_MODE,
    idleStopSnoozeMinutes: config.IDLE_STOP_SNOOZE_MINUTES,
    idleStopWindows: config.IDLE_STOP_WINDOWS,
    lifecycleWaitMaxSeconds: config.LIFECYCLE_WAIT_MAX_SECONDS,
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
