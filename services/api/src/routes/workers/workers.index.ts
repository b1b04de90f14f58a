import type { OpenAPIHono } from "@hono/zod-openapi";
import { type AppEnv, createRouter } from "../../app/create-router.ts";
import { openapiParamsRoute } from "../../app/params-route.ts";
import { createWorkersHandlers, type WorkersDeps } from "./workers.handlers.ts";
import {
  getWorkerRoute,
  listWorkersRoute,
  refreshWorkerRoute,
  registerWorkerRoute,
  workerEventsRoute,
} from "./workers.routes.ts";

/** The workers resource, mounted at `/api/v1/workers`. */
export function createWorkersRouter(deps: WorkersDeps): OpenAPIHono<AppEnv> {
  const handlers = createWorkersHandlers(deps);
  const router = createRouter();
  openapiParamsRoute(router, listWorkersRoute, handlers.list);
  router.openapi(registerWorkerRoute, handlers.register);
  openapiParamsRoute(router, getWorkerRoute, handlers.get);
  openapiParamsRoute(router, refreshWorkerRoute, handlers.refresh);
  openapiParamsRoute(router, workerEventsRoute, handlers.events);
  return router;
}
