import type { OpenAPIHono } from "@hono/zod-openapi";
import { type AppEnv, createRouter } from "../../app/create-router.ts";
import type { HistoryClient, WorkerReadModel } from "../../ports.ts";
import { createHistoryHandler } from "./history.handlers.ts";
import { historyRoute } from "./history.routes.ts";

/** The metric history resource, mounted at `/api/v1`. */
export function createHistoryRouter(deps: {
  history: HistoryClient;
  readModel: WorkerReadModel;
  now: () => Date;
}): OpenAPIHono<AppEnv> {
  return createRouter().openapi(historyRoute, createHistoryHandler(deps));
}
