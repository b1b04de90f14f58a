import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { type AppEnv, createRouter } from "../../app/create-router.ts";
import { problemContent } from "../../app/problem-schema.ts";
import type { WorkerReadModel } from "../../ports.ts";
import { problemResponse } from "../../problems.ts";

const healthzRoute = createRoute({
  method: "get",
  path: "/healthz",
  tags: ["operations"],
  summary: "Liveness: the process is up",
  responses: {
    200: {
      description: "Up",
      content: { "application/json": { schema: z.object({ status: z.literal("ok") }) } },
    },
  },
});

const readyzRoute = createRoute({
  method: "get",
  path: "/readyz",
  tags: ["operations"],
  summary: "Readiness: NATS connected and the worker cache synced",
  responses: {
    200: {
      description: "Ready",
      content: {
        "application/json": {
          schema: z.object({ status: z.literal("ready"), checks: z.record(z.string(), z.boolean()) }),
        },
      },
    },
    503: problemContent("Not ready (`service-unavailable`)"),
  },
});

/** `/healthz` and `/readyz`, mounted at the root. */
export function createHealthRouter(deps: {
  readModel: WorkerReadModel;
  isNatsConnected: () => boolean;
}): OpenAPIHono<AppEnv> {
  return createRouter()
    .openapi(healthzRoute, (c) => c.json({ status: "ok" as const }, 200))
    .openapi(readyzRoute, (c) => {
      const checks = { nats: deps.isNatsConnected(), worker_cache: deps.readModel.isSynced() };
      const failing = Object.entries(checks)
        .filter(([, ok]) => !ok)
        .map(([name]) => name);
      if (failing.length > 0) {
        return problemResponse(
          "service-unavailable",
          `not ready: ${failing.join(", ")}`,
          {},
          c.req.path,
        ) as never;
      }
      return c.json({ status: "ready" as const, checks }, 200);
    });
}
