import type { OpenAPIHono } from "@hono/zod-openapi";
import { type AppEnv, createRouter } from "../../app/create-router.ts";
import { openapiParamsRoute } from "../../app/params-route.ts";
import { createLifecycleHandlers, type LifecycleDeps } from "./lifecycle.handlers.ts";
import { startWorkerRoute, stopWorkerRoute, terminateWorkerRoute } from "./lifecycle.routes.ts";

/** Start, stop and terminate a worker (DESIGN §11), mounted at `/api/v1/workers`. */
export function createLifecycleRouter(deps: LifecycleDeps): OpenAPIHono<AppEnv> {
  const handlers = createLifecycleHandlers(deps);
  const router = createRouter();
  openapiParamsRoute(router, startWorkerRoute, handlers.start);
  openapiParamsRoute(router, stopWorkerRoute, handlers.stop);
  openapiParamsRoute(router, terminateWorkerRoute, handlers.terminate);
  return router;
}
