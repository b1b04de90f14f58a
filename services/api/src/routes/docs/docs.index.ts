import type { OpenAPIHono } from "@hono/zod-openapi";
import { Scalar } from "@scalar/hono-api-reference";
import { type AppEnv, createRouter } from "../../app/create-router.ts";
import { renderDocsPage } from "./docs-page.ts";

/** Path of the OpenAPI document. */
export const OPENAPI_PATH = "/api/v1/openapi.json";

/**
 * Interactive docs: `/api/v1/docs` is self-hosted (no CDN); `/api/v1/docs/scalar` is the Scalar reference, whose
 * browser bundle `@scalar/hono-api-reference` loads from cdn.jsdelivr.net (use it only where that is allowed).
 */
export function createDocsRouter(): OpenAPIHono<AppEnv> {
  const router = createRouter();
  const page = renderDocsPage(OPENAPI_PATH);
  router.get("/docs", (c) => c.html(page));
  router.get("/docs/scalar", Scalar({ url: OPENAPI_PATH, pageTitle: "cml-telemetry API" }));
  return router;
}
