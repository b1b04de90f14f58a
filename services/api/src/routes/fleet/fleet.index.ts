import type { OpenAPIHono } from "@hono/zod-openapi";
import { type AppEnv, createRouter } from "../../app/create-router.ts";
import { createFleetHandlers, type FleetDeps } from "./fleet.handlers.ts";
import { fleetSummaryRoute } from "./fleet.routes.ts";

/** The fleet resource, mounted at `/api/v1/fleet`. */
export function createFleetRouter(deps: FleetDeps): OpenAPIHono<AppEnv> {
  const router = createRouter();
  router.openapi(fleetSummaryRoute, createFleetHandlers(deps).summary);
  return router;
}
