import type { OpenAPIHono } from "@hono/zod-openapi";
import { type AppEnv, createRouter } from "../../app/create-router.ts";
import { openapiParamsRoute } from "../../app/params-route.ts";
import type { HistoryClient, WorkerReadModel } from "../../ports.ts";
import { createHistoryHandler } from "./history.handlers.ts";
import { historyRoute } from "./history.routes.ts";

/** The metric history resource, mounted at `/api/v1`. */
export function createHistoryRouter(deps: {
  history: HistoryClient;
  readModel: WorkerReadModel;
  now: () => Date;
}): OpenAPIHono<AppEnv> {
  const router = createRouter();
  openapiParamsRoute(router, historyRoute, createHistoryHandler(deps));
  return router;
}
