import { envVar } from "./env-registry.ts";
import { envInt, envString, envUrl } from "./env-types.ts";

/** NATS connection variables shared by every service. */
export const natsEnv = {
  NATS_URL: envVar(envUrl({ protocols: ["nats", "tls", "ws", "wss"] }).default("nats://127.0.0.1:4222"), {
    description: "NATS server URL; the server must have JetStream enabled.",
  }),
  NATS_CREDS: envVar(envString().optional(), {
    description: "Path to a NATS `.creds` file (JWT + NKey); unset = no authentication.",
    secret: true,
  }),
} as const;

/** JetStream stream limits; every service carries them because any service may create the streams on start. */
export const jetstreamEnv = {
  TELEMETRY_RETENTION_DAYS: envVar(envInt({ min: 1, max: 3650 }).default(7), {
    description:
      "Max age in days of the `CML_TELEMETRY` stream (DESIGN's TELEMETRY_RETENTION); also bounds what the embedded history store can replay.",
  }),
} as const;
