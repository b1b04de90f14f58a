import type { IncomingMessage } from "node:http";
import type { Context, MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";
import { problemResponse } from "../problems.ts";
import type { AppEnv } from "./create-router.ts";
import { API_CONTENT_SECURITY_POLICY, isPrepared } from "./prepared-response.ts";
import { REQUEST_ID_HEADER, requestIdOf } from "./request-id.ts";
import { authorityOf, isLoopbackHost, isOriginAllowed } from "./site-guard.ts";

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * A request header. On @hono/node-server it is read from the Node request: asking Hono builds a full `Headers`
 * object for the request, which costs the hottest routes about a fifth of their time.
 */
export function requestHeader(c: Context, name: string): string | undefined {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (incoming === undefined) return c.req.header(name);
  const value = incoming.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** What {@link edge} enforces. */
export interface EdgeOptions {
  /** False without `API_TOKENS`: then only loopback `Host` names are answered. */
  authEnabled: boolean;
  /** `API_CORS_ORIGINS`: origins besides the API's own that may write or open a WebSocket. */
  corsOrigins: readonly string[];
}

/**
 * The first middleware of every request, in one layer (each layer costs every request):
 * - takes the caller's `X-Request-Id` (or makes one) as `requestId` and returns it on every answer;
 * - without tokens, answers only loopback `Host` names, so a DNS-rebound page cannot read the API;
 * - refuses writes and WebSocket upgrades a browser sends from a foreign `Origin` (cross-site request forgery);
 * - puts the security headers on every answer: for anything but a page, `Cache-Control: no-store` and a CSP that
 *   allows nothing; `X-Frame-Options: DENY` everywhere.
 */
export function edge(options: EdgeOptions): MiddlewareHandler<AppEnv> {
  const secure = secureHeaders({ xFrameOptions: "DENY" });
  const done = async () => {};

  async function finish(c: Context<AppEnv>, requestId: string): Promise<void> {
    if (isPrepared(c.res)) return;
    await secure(c, done);
    const headers = c.res.headers;
    headers.set(REQUEST_ID_HEADER, requestId);
    if (!headers.has("content-security-policy"))
      headers.set("content-security-policy", API_CONTENT_SECURITY_POLICY);
    if (!headers.has("cache-control")) headers.set("cache-control", "no-store");
  }

  return async (c, next) => {
    const requestId = requestIdOf(requestHeader(c, REQUEST_ID_HEADER));
    c.set("requestId", requestId);
    const host = authorityOf(c.req.url);
    let refusal: string | undefined;
    if (!options.authEnabled && !isLoopbackHost(host)) {
      refusal = `Host ${host} is not a loopback name: without API_TOKENS the API answers only loopback names`;
    } else if (STATE_CHANGING.has(c.req.method) || requestHeader(c, "upgrade") !== undefined) {
      const origin = requestHeader(c, "origin");
      if (!isOriginAllowed(origin, [host, requestHeader(c, "x-forwarded-host")], options.corsOrigins)) {
        refusal = `requests from origin ${origin} may not change state or open a WebSocket (not this API's origin nor in API_CORS_ORIGINS)`;
      }
    }
    if (refusal !== undefined) {
      c.res = problemResponse("forbidden", refusal, {}, c.req.path);
    } else {
      await next();
    }
    await finish(c, requestId);
  };
}
