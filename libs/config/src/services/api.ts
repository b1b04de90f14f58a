import { z } from "zod";
import { type ApiToken, resolveApiTokens } from "../api-tokens.ts";
import { envVar } from "../env-registry.ts";
import { envInt, envList, envSeconds, envString } from "../env-types.ts";
import { idleEnv } from "../idle-env.ts";
import { jetstreamEnv, natsEnv } from "../nats-env.ts";
import { logEnv } from "../observability-env.ts";

const apiTokensEnv = z.string().transform((raw, ctx): ApiToken[] => {
  const result = resolveApiTokens(raw);
  if (result.ok) return result.tokens;
  ctx.addIssue({ code: "custom", message: result.problems.join("; ") });
  return z.NEVER;
});

/** Config of `api`: the HTTP API, dashboard, SSE/WebSocket feeds and worker gauges on `/metrics`. */
export const apiConfigSchema = z
  .object({
    ...natsEnv,
    ...jetstreamEnv,
    ...logEnv,
    ...idleEnv,
    API_PORT: envVar(envInt({ min: 0, max: 65_535 }).default(8080), {
      description:
        "HTTP port of the API (also serves `/healthz`, `/readyz`, `/metrics` with the worker gauges, and the dashboard). 0 = any free port, given in the `api ready` log line's `url`.",
    }),
    API_HOST: envVar(envString().optional(), {
      description:
        "Listen address when `API_TOKENS` is set. Without tokens the API always listens on 127.0.0.1 only, whatever this says (it logs a warning naming the ignored value): it never serves unauthenticated beyond loopback.",
      defaultText: "0.0.0.0 with API_TOKENS, else 127.0.0.1",
    }),
    API_TOKENS: envVar(apiTokensEnv.optional(), {
      description:
        "Bearer tokens as comma-separated `name:role:sha256hex` (role viewer|operator, SHA-256 of the token), or `@/path/to/file` with one entry per line. Unset = no auth, loopback only.",
      secret: true,
    }),
    API_CORS_ORIGINS: envVar(envList().default([]), {
      description: "Comma-separated origins allowed by CORS (`*` for any); empty = CORS disabled.",
    }),
    API_MAX_BODY_BYTES: envVar(envInt({ min: 1024, max: 10_485_760 }).default(65_536), {
      description: "Largest accepted request body in bytes; larger bodies get 413.",
    }),
    REFRESH_WAIT_MAX_SECONDS: envVar(envSeconds({ min: 1, max: 300 }).default(30), {
      description: "Upper bound of `POST /workers/:id/refresh?wait=<seconds>`.",
    }),
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
