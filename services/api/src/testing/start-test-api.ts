import type { ApiRole } from "@cml-telemetry/config";
import type { Topology } from "@cml-telemetry/contracts";
import { createLogger } from "@cml-telemetry/observability";
import type { NatsConnection } from "@nats-io/transport-node";
import type { AppSettings } from "../app/app-deps.ts";
import { sha256Hex } from "../auth/token-authenticator.ts";
import { type RunningApi, startApi } from "../start-api.ts";

/**
 * The API on a free loopback port over `nc`, logging nothing, with these bearer tokens (given in clear; only their
 * SHA-256 is configured, as in `API_TOKENS`). No tokens: auth off, loopback `Host` names only.
 */
export function startTestApi(options: {
  nc: NatsConnection;
  topology: Topology;
  tokens?: ReadonlyArray<{ name: string; role: ApiRole; token: string }>;
  settings?: Partial<AppSettings>;
}): Promise<RunningApi> {
  return startApi({
    nc: options.nc,
    topology: options.topology,
    logger: createLogger({ service: "api", level: "silent" }),
    tokens: (options.tokens ?? []).map(({ name, role, token }) => ({ name, role, sha256: sha256Hex(token) })),
    host: "127.0.0.1",
    port: 0,
    ...(options.settings ? { settings: options.settings } : {}),
  });
}
