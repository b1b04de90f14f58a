import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { type AppEnv, createRouter } from "../../app/create-router.ts";
import { type DashboardAsset, type DashboardAssetSources, loadDashboardAssets } from "./dashboard-assets.ts";
import { whoamiRoute } from "./whoami.routes.ts";

/** The dashboard loads only its own files and talks only to this API. */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

function respond(c: Context<AppEnv>, asset: DashboardAsset | undefined, isPage: boolean): Response {
  if (asset === undefined) return c.notFound() as Response;
  const headers: Record<string, string> = {
    "Content-Type": asset.contentType,
    "Cache-Control": "no-cache",
    ETag: asset.etag,
  };
  if (isPage) headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY;
  if (c.req.header("if-none-match") === asset.etag) return new Response(null, { status: 304, headers });
  return new Response(asset.body, { status: 200, headers });
}

/**
 * The operator dashboard, mounted at the root: `/` (the page), `/assets/*` (its ES modules and CSS, and uPlot
 * under `/assets/vendor/`), and `GET /api/v1/whoami`, which relies on the app's `/api/v1/*` auth middleware to
 * set the principal. Files are read once at creation and answered with ETags.
 * @example app.route("/", createDashboardRouter());
 */
export function createDashboardRouter(sources: DashboardAssetSources = {}): OpenAPIHono<AppEnv> {
  const assets = loadDashboardAssets(sources);
  const router = createRouter();
  router.openapi(whoamiRoute, (c) => {
    const principal = c.get("principal");
    return c.json({ name: principal.name, role: principal.role }, 200);
  });
  router.get("/", (c) => respond(c, assets.get("/"), true));
  router.get("/assets/*", (c) => respond(c, assets.get(c.req.path), false));
  return router;
}
