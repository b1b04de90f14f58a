import type { MiddlewareHandler, TypedResponse } from "hono";
import { secureHeaders } from "hono/secure-headers";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { JSONParsed } from "hono/utils/types";

/** The headers `hono/secure-headers` sets by default, as a plain object. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "cross-origin-embedder-policy": "require-corp",
  "cross-origin-resource-policy": "same-origin",
  "cross-origin-opener-policy": "same-origin",
  "origin-agent-cluster": "?1",
  "referrer-policy": "no-referrer",
  "strict-transport-security": "max-age=15552000; includeSubDomains",
  "x-content-type-options": "nosniff",
  "x-dns-prefetch-control": "off",
  "x-download-options": "noopen",
  "x-frame-options": "SAMEORIGIN",
  "x-permitted-cross-domain-policies": "none",
  "x-xss-protection": "0",
};

const prepared = new WeakSet<Response>();

/**
 * A JSON response built with the security headers already in place, as a plain header object. On hot read
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
    headers: { "content-type": "application/json", ...SECURITY_HEADERS },
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
