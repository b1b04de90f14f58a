import type { OpenAPIHono } from "@hono/zod-openapi";
import { type AppEnv, createRouter } from "../../app/create-router.ts";
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
  return createRouter()
    .openapi(listWorkersRoute, handlers.list)
    .openapi(registerWorkerRoute, handlers.register)
    .openapi(getWorkerRoute, handlers.get)
    .openapi(refreshWorkerRoute, handlers.refresh)
    .openapi(workerEventsRoute, handlers.events);
}
