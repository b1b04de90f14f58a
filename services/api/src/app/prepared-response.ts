import type { Context, TypedResponse } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { JSONParsed } from "hono/utils/types";
import type { AppEnv } from "./create-router.ts";
import { REQUEST_ID_HEADER } from "./request-id.ts";

/** Content-Security-Policy of every answer that is not a page: nothing may load, nothing may frame it. */
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";

/**
 * The security headers of a JSON API response, as OWASP's REST Security Cheat Sheet lists them: no caching of live
 * data, no framing, no content sniffing, HTTPS only.
 */
export const API_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "cache-control": "no-store",
  "content-security-policy": API_CONTENT_SECURITY_POLICY,
  "strict-transport-security": "max-age=15552000; includeSubDomains",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
};

const prepared = new WeakSet<Response>();

/** Whether a response was made by {@link preparedJson}/{@link preparedJsonText} (its headers are complete). */
export function isPrepared(response: Response): boolean {
  return prepared.has(response);
}

/**
 * A JSON response built with the API security headers and the request id already in place, as a plain header
 * object. On hot read routes this keeps @hono/node-server on its fast path: no `Headers` object is created.
 */
export function preparedJson<T, S extends ContentfulStatusCode>(
  c: Context<AppEnv>,
  body: T,
  status: S,
): Response & TypedResponse<JSONParsed<T>, S, "json"> {
  return preparedJsonText<T, S>(c, JSON.stringify(body), status);
}

/**
 * Like {@link preparedJson} for JSON that is already serialised.
 */
export function preparedJsonText<T, S extends ContentfulStatusCode>(
  c: Context<AppEnv>,
  json: string,
  status: S,
): Response & TypedResponse<JSONParsed<T>, S, "json"> {
  const response = new Response(json, {
    status,
    headers: {
      "content-type": "application/json",
      ...API_SECURITY_HEADERS,
      [REQUEST_ID_HEADER]: c.get("requestId"),
    },
  });
  prepared.add(response);
  return response as Response & TypedResponse<JSONParsed<T>, S, "json">;
}
