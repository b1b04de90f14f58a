import type { MiddlewareHandler, TypedResponse } from "hono";
import { secureHeaders } from "hono/secure-headers";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { JSONParsed } from "hono/utils/types";

/**
 * The security headers of a JSON API response, as OWASP's REST Security Cheat Sheet lists them: no caching of live
 * data, no framing, no content sniffing, HTTPS only. The headers `hono/secure-headers` adds for HTML documents
 * (cross-origin isolation, DNS prefetch, legacy IE and XSS-auditor switches) do nothing for JSON, and every header
 * costs each request on the hottest routes; HTML and other responses still get all of them.
 */
export const API_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "cache-control": "no-store",
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
  "strict-transport-security": "max-age=15552000; includeSubDomains",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
};

const prepared = new WeakSet<Response>();

/**
 * A JSON response built with the API security headers already in place, as a plain header object. On hot read
 * routes this keeps @hono/node-server on its fast path: no `Headers` object is created for the response.
 */
export function preparedJson<T, S extends ContentfulStatusCode>(
  body: T,
  status: S,
): Response & TypedResponse<JSONParsed<T>, S, "json"> {
  return preparedJsonText<T, S>(JSON.stringify(body), status);
}

/**
 * Like {@link preparedJson} for JSON that is already serialised.
 */
export function preparedJsonText<T, S extends ContentfulStatusCode>(
  json: string,
  status: S,
): Response & TypedResponse<JSONParsed<T>, S, "json"> {
  const response = new Response(json, {
    status,
    headers: { "content-type": "application/json", ...API_SECURITY_HEADERS },
  });
  prepared.add(response);
  return response as Response & TypedResponse<JSONParsed<T>, S, "json">;
}

/** `hono/secure-headers` for every response except those made by {@link preparedJson}, which carry them. */
export function securityHeaders(): MiddlewareHandler {
  const secure = secureHeaders();
  const done = async () => {};
  return async (c, next) => {
    await next();
    if (!prepared.has(c.res)) await secure(c, done);
  };
}
