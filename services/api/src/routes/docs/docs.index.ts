import type { OpenAPIHono } from "@hono/zod-openapi";
import { type AppEnv, createRouter } from "../../app/create-router.ts";
import { renderDocsPage } from "./docs-page.ts";

/** Path of the OpenAPI document. */
export const OPENAPI_PATH = "/api/v1/openapi.json";

/** Interactive docs at `/api/v1/docs`: served by this API alone (no CDN), under a CSP that allows nothing else. */
export function createDocsRouter(): OpenAPIHono<AppEnv> {
  const router = createRouter();
  const page = renderDocsPage(OPENAPI_PATH);
  router.get("/docs", (c) =>
    c.html(page.html, 200, {
      "Content-Security-Policy": page.contentSecurityPolicy,
      "Cache-Control": "no-store",
    }),
  );
  return router;
}
