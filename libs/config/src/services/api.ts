import { z } from "zod";
import { type ApiToken, resolveApiTokens } from "../api-tokens.ts";
import { collectIntervalEnv } from "../collect-intervals-env.ts";
import { envVar } from "../env-registry.ts";
import { envInt, envList, envSeconds, envString } from "../env-types.ts";
import { idleEnv } from "../idle-env.ts";
import { idleStopPolicyEnv } from "../idle-stop-env.ts";
import { jetstreamEnv, natsEnv } from "../nats-env.ts";
import { logEnv } from "../observability-env.ts";

const apiTokensEnv = z.string().transform((raw, ctx): ApiToken[] => {
  const result = resolveApiTokens(raw);
  if (result.ok) return result.tokens;
  ctx.addIssue({ code: "custom", message: result.problems.join("; ") });
  return z.NEVER;
});

/** `*`, or an origin: scheme, host and optional port, no path (what a browser sends as `Origin`). */
const corsOrigin = {
  pattern: /^(\*|https?:\/\/[^/\s?#]+)$/,
  expected: "`*` or an origin such as https://dash.example.com (no path, no trailing slash)",
};

/** Config of `api`: the HTTP API, dashboard, SSE/WebSocket feeds and worker gauges on `/metrics`. */
export const apiConfigSchema = z
  .object({
    ...natsEnv,
    ...jetstreamEnv,
    ...logEnv,
    ...idleEnv,
    ...idleStopPolicyEnv,
    API_PORT: envVar(envInt({ min: 0, max: 65_535 }).default(8080), {
      description:
        "HTTP port of the API (also serves `/healthz`, `/readyz`, `/metrics` with the worker gauges, and the dashboard). 0 = any free port, given in the `api ready` log line's `url`.",
    }),
    API_HOST: envVar(envString().optional(), {
      description:
        "Listen address with `API_TOKENS`. Without tokens the api always binds 127.0.0.1 (whatever this says, with a warning) and answers only requests whose `Host` is a loopback name.",
      defaultText: "0.0.0.0 with API_TOKENS, else 127.0.0.1",
    }),
    API_TOKENS: envVar(apiTokensEnv.optional(), {
      description:
        "Bearer tokens as comma-separated `name:role:sha256hex` (role viewer|operator, SHA-256 of the token), or `@/path/to/file` with one entry per line. Unset = no auth, loopback only.",
      secret: true,
    }),
    API_CORS_ORIGINS: envVar(envList({ item: corsOrigin }).default([]), {
      description:
        "Comma-separated origins whose pages may call the API across sites (CORS), e.g. a dashboard served elsewhere; `*` for any, allowed only with `API_TOKENS`. Empty = CORS off. Writes and WebSocket upgrades from a browser are refused unless their `Origin` is the API's own or one of these.",
    }),
    API_MAX_BODY_BYTES: envVar(envInt({ min: 1024, max: 10_485_760 }).default(65_536), {
      description: "Largest accepted request body in bytes; larger bodies get 413.",
    }),
    REFRESH_WAIT_MAX_SECONDS: envVar(envSeconds({ min: 1, max: 300 }).default(30), {
      description:
        "Upper bound of `POST /workers/:id/refresh?wait=<seconds>`, and how long a refresh counts as in flight (later refreshes of the worker join it).",
    }),
    REFRESH_MIN_INTERVAL_SECONDS: envVar(envSeconds({ min: 0, max: 3_600 }).default(10), {
      description:
        "Minimum seconds between the starts of two refreshes of one worker, across all api replicas (kept in the NATS KV bucket `cml_api_refreshes`); a refresh asked sooner, once the previous one ended, gets 429 with `Retry-After`. 0 = no minimum.",
    }),
    LIFECYCLE_WAIT_MAX_SECONDS: envVar(envSeconds({ min: 1, max: 300 }).default(60), {
      description:
        "Upper bound of `POST /workers/:id/start|stop|terminate?wait=<seconds>`: how long such a request may wait for EC2's answer and the worker's new (or transitional) status.",
    }),
    METRICS_TOKEN: envVar(
      envString({
        pattern: /^[0-9a-fA-F]{64}$/,
        expected: "64 hex digits: the SHA-256 of the scrape token",
      }).optional(),
      {
        description:
          "SHA-256 (hex) of a bearer token that may read `/metrics` and nothing else, for Prometheus. With `API_TOKENS` set, `/metrics` needs a viewer/operator token or this one; without tokens it is open (loopback only).",
        secret: true,
      },
    ),
    API_LIVE_MAX_CONNECTIONS: envVar(envInt({ min: 1, max: 100_000 }).default(1_000), {
      description:
        "Most live clients (SSE and WebSocket together) one api replica serves; past it a new one gets 503 with `Retry-After`.",
    }),
    API_LIVE_MAX_CONNECTIONS_PER_TOKEN: envVar(envInt({ min: 1, max: 100_000 }).default(100), {
      description:
        "Most live clients (SSE and WebSocket together) of one token (of everyone, without tokens) on one replica; past it a new one gets 429 with `Retry-After`.",
    }),
    API_SSE_WRITE_TIMEOUT_SECONDS: envVar(envSeconds({ min: 1, max: 600 }).default(30), {
      description:
        "An SSE client whose socket takes no write for this long is dropped (`write_timeout`), so a stalled connection frees its memory.",
    }),
    API_WS_MAX_SUBSCRIPTIONS: envVar(envInt({ min: 1, max: 1_000 }).default(32), {
      description:
        "Most distinct subscriptions one WebSocket client may hold; one more closes it (1008 `too_many_subscriptions`).",
    }),
    API_WS_MAX_MESSAGE_BYTES: envVar(envInt({ min: 256, max: 1_048_576 }).default(65_536), {
      description: "Largest message a WebSocket client may send; a larger one closes it (1009).",
    }),
    API_WS_PING_INTERVAL_SECONDS: envVar(envSeconds({ min: 1, max: 3_600 }).default(30), {
      description:
        "Seconds between pings of each WebSocket client; one that has not answered the previous ping is dropped (`ping_timeout`).",
    }),
    ...collectIntervalEnv.ec2,
    ...collectIntervalEnv.cloudwatch,
    ...collectIntervalEnv.cml,
  })
  .superRefine((config, ctx) => {
    if ((config.API_TOKENS ?? []).length === 0 && config.API_CORS_ORIGINS.includes("*")) {
      ctx.addIssue({
        code: "custom",
        path: ["API_CORS_ORIGINS"],
        message:
          "`*` lets any site use the API and is refused without API_TOKENS; name the allowed origins or set API_TOKENS",
      });
    }
  })
  .transform((config) => {
    const tokens = config.API_TOKENS ?? [];
    return {
      ...config,
      API_TOKENS: tokens,
      API_HOST: config.API_HOST ?? (tokens.length > 0 ? "0.0.0.0" : "127.0.0.1"),
    };
  });

/** Typed config of `api` (`API_TOKENS` is `[]` when unset; `API_HOST` is resolved). */
export type ApiConfig = z.output<typeof apiConfigSchema>;
