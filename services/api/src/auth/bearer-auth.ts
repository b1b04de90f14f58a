import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app/create-router.ts";
import { ProblemError } from "../problems.ts";
import type { Principal, TokenAuthenticator } from "./token-authenticator.ts";

/** Context variables set by the auth middleware. */
export interface AuthVariables {
  principal: Principal;
}

const ANONYMOUS: Principal = { name: "anonymous", role: "operator" };
const CHALLENGE = { "WWW-Authenticate": 'Bearer realm="cml-telemetry"' };
const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

function presentedToken(header: string | undefined, query: string | undefined): string | undefined {
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match?.[1];
  }
  return query;
}

/**
 * Bearer-token auth with roles: reads need `viewer` or `operator`, writes (POST…) need `operator`.
 * `access_token` in the query is accepted only on paths in `queryTokenPaths` (browsers cannot set headers on
 * EventSource/WebSocket). With auth disabled every request acts as operator `anonymous`.
 */
export function bearerAuth(
  authenticator: TokenAuthenticator,
  options: { queryTokenPaths?: readonly string[] } = {},
): MiddlewareHandler<AppEnv> {
  const queryPaths = new Set(options.queryTokenPaths ?? []);
  return async (c, next) => {
    if (!authenticator.enabled) {
      c.set("principal", ANONYMOUS);
      return next();
    }
    const query = queryPaths.has(c.req.path) ? c.req.query("access_token") : undefined;
    const token = presentedToken(c.req.header("authorization"), query);
    if (token === undefined) {
      throw new ProblemError("unauthorized", "a bearer token is required", { headers: CHALLENGE });
    }
    const principal = authenticator.authenticate(token);
    if (!principal) {
      throw new ProblemError("unauthorized", "the bearer token is not valid", {
        headers: { "WWW-Authenticate": 'Bearer realm="cml-telemetry", error="invalid_token"' },
      });
    }
    if (WRITE_METHODS.has(c.req.method) && principal.role !== "operator") {
      throw new ProblemError(
        "forbidden",
        `role ${principal.role} may not ${c.req.method} this resource; operator required`,
      );
    }
    c.set("principal", principal);
    return next();
  };
}
