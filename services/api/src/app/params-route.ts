import type { OpenAPIHono, RouteConfig, RouteHandler } from "@hono/zod-openapi";
import type { Context, Next } from "hono";
import type { z } from "zod";
import { type AppEnv, validationProblem } from "./create-router.ts";

type ParamsRouteConfig = RouteConfig & {
  request?: { params?: z.ZodType; query?: z.ZodType; body?: never; headers?: never; cookies?: never };
};

/** The query as Hono's validator hands it to a schema: one value per name, an array for repeated names. */
function queryOf(c: Context): Record<string, string | string[]> {
  const entries = Object.entries(c.req.queries()).map(([name, values]) => [
    name,
    values.length === 1 ? (values[0] as string) : values,
  ]);
  return Object.fromEntries(entries);
}

/**
 * Registers a route whose request has only path and query parameters, exactly as `router.openapi(route, handler)`
 * would (same OpenAPI entry, same zod schemas, same `c.req.valid()` data, same `validation-error` problem), but
 * validates inside the route's single handler. `router.openapi` adds one middleware per request part, and Hono's
 * validator reads `Content-Type` even for parameters, which makes @hono/node-server build a full `Headers` object
 * for every request: on the hottest read routes that was about a fifth of the cost of a request.
 */
export function openapiParamsRoute<R extends ParamsRouteConfig>(
  router: OpenAPIHono<AppEnv>,
  route: R,
  handler: RouteHandler<R, AppEnv>,
): void {
  const { request, middleware, hide, ...documented } = route;
  const unsupported = ["body", "headers", "cookies"].filter((part) => request && part in request);
  if (unsupported.length > 0 || middleware !== undefined) {
    throw new TypeError(
      `${route.method.toUpperCase()} ${route.path}: openapiParamsRoute validates only params and query, not ${[
        ...unsupported,
        ...(middleware === undefined ? [] : ["middleware"]),
      ].join(", ")}; use router.openapi`,
    );
  }
  if (!hide) router.openAPIRegistry.registerPath({ ...documented, ...(request ? { request } : {}) });
  const params = request?.params;
  const query = request?.query;
  const path = route.path.replaceAll(/\/{(.+?)}/g, "/:$1");
  router.on(route.method.toUpperCase(), path, (c: Context<AppEnv>, next: Next) => {
    if (params) {
      const parsed = params.safeParse(c.req.param());
      if (!parsed.success) return validationProblem("param", parsed.error, c);
      c.req.addValidatedData("param", parsed.data as object);
    }
    if (query) {
      const parsed = query.safeParse(queryOf(c));
      if (!parsed.success) return validationProblem("query", parsed.error, c);
      c.req.addValidatedData("query", parsed.data as object);
    }
    return (handler as (c: Context<AppEnv>, next: Next) => Response | Promise<Response>)(c, next);
  });
}
