import type { Server } from "node:http";
import { cmlFreshSecondsOf } from "@cml-telemetry/lifecycle";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import { bearerAuth } from "../auth/bearer-auth.ts";
import { withMetricsToken } from "../auth/token-authenticator.ts";
import { createLiveHub, type LiveHub } from "../live/live-hub.ts";
import { httpMetrics } from "../metrics/http-metrics.ts";
import { registerWorkerGauges } from "../metrics/worker-gauges.ts";
import { ProblemError, type ProblemKind, problemResponse, respondProblem } from "../problems.ts";
import { createDashboardRouter } from "../routes/dashboard/dashboard.index.ts";
import { createDocsRouter, OPENAPI_PATH } from "../routes/docs/docs.index.ts";
import { createEventsRouter } from "../routes/events/events.index.ts";
import { createFleetRouter } from "../routes/fleet/fleet.index.ts";
import { createHealthRouter } from "../routes/health/health.index.ts";
import { createHistoryRouter } from "../routes/history/history.index.ts";
import { createLifecycleRouter } from "../routes/lifecycle/lifecycle.index.ts";
import { createMetricsRouter } from "../routes/metrics/metrics.index.ts";
import { createWorkersRouter } from "../routes/workers/workers.index.ts";
import { createWsRouter } from "../routes/ws/ws.index.ts";
import { createWsKeepAlive } from "../routes/ws/ws-keepalive.ts";
import { createWsUpgrades } from "../routes/ws/ws-upgrade.ts";
import { createLifecycleRequests } from "../workers/lifecycle-requests.ts";
import { createRefreshCoordinator, type RefreshCoordinator } from "../workers/refresh-coordinator.ts";
import type { WorkerViewContext } from "../workers/worker-view.ts";
import { type AppDeps, type AppSettings, DEFAULT_SETTINGS } from "./app-deps.ts";
import { type AppEnv, createRouter } from "./create-router.ts";
import { edge } from "./edge.ts";

/** The composed API: the Hono app plus what the server and shutdown need. */
export interface ApiApp {
  app: OpenAPIHono<AppEnv>;
  /** Attaches WebSocket upgrades to the HTTP server (call after `serve`). */
  injectWebSocket(server: Server): void;
  hub: LiveHub;
  refreshes: RefreshCoordinator;
  settings: AppSettings;
  /** Closes every live client (`server_shutdown`) and ends in-flight refresh tracking. */
  close(): void;
}

/** Paths under `/api/v1` that need no token (the API description). */
const PUBLIC_API_PATHS = new Set([OPENAPI_PATH, "/api/v1/docs"]);

const BODY_METHODS = new Set(["POST", "PUT", "PATCH"]);

const STATUS_KINDS: Record<number, ProblemKind> = {
  400: "validation-error",
  401: "unauthorized",
  403: "forbidden",
  404: "not-found",
  409: "conflict",
  413: "payload-too-large",
  415: "unsupported-media-type",
  426: "upgrade-required",
  429: "rate-limited",
  503: "service-unavailable",
};

/** The configuration an API must not run with. */
export class UnsafeApiConfigError extends Error {
  override readonly name = "UnsafeApiConfigError";
  readonly code = "UNSAFE_API_CONFIG";
}

/**
 * Builds the HTTP API (DESIGN §7) from its ports. No I/O happens here beyond what the ports do.
 * @throws UnsafeApiConfigError for CORS `*` without tokens (any site could use the API).
 * @example const { app, injectWebSocket } = createApp(deps); injectWebSocket(serve({ fetch: app.fetch, port }));
 */
export function createApp(deps: AppDeps): ApiApp {
  const settings: AppSettings = { ...DEFAULT_SETTINGS, ...deps.settings };
  const authEnabled = deps.authenticator.enabled;
  if (!authEnabled && settings.corsOrigins.includes("*")) {
    throw new UnsafeApiConfigError(
      "API_CORS_ORIGINS=* needs API_TOKENS: without tokens any site could use the API",
    );
  }
  const now = deps.now ?? (() => new Date());
  const { logger, readModel, feed, prices } = deps;
  const view: WorkerViewContext = {
    idlePolicy: {
      mode: settings.idleStopMode,
      thresholdMinutes: settings.idleThresholdMinutes,
      cmlFreshSeconds: cmlFreshSecondsOf(settings.collectIntervalsSeconds.cml),
      snoozeMinutes: settings.idleStopSnoozeMinutes,
      windows: settings.idleStopWindows,
    },
    prices,
  };
  const app = createRouter();
  const hub = createLiveHub({
    feed,
    ops: deps.ops,
    logger,
    limits: {
      maxConnections: settings.maxLiveConnections,
      maxConnectionsPerPrincipal: settings.maxLiveConnectionsPerToken,
    },
  });
  const upgrades = createWsUpgrades({ maxPayloadBytes: settings.wsMaxMessageBytes });
  const keepAlive = createWsKeepAlive(settings.wsPingIntervalMs);
  const refreshes = createRefreshCoordinator({
    feed,
    commands: deps.commands,
    ledger: deps.refreshLedger,
    logger,
    inFlightMs: settings.refreshWaitMaxSeconds * 1000,
    minIntervalMs: settings.refreshMinIntervalSeconds * 1000,
    now: () => now().getTime(),
  });

  app.use("*", httpMetrics(deps.metrics.meter));
  app.use("*", edge({ authEnabled, corsOrigins: settings.corsOrigins }));
  if (settings.corsOrigins.length > 0) {
    app.use(
      "/api/v1/*",
      cors({
        origin: settings.corsOrigins.includes("*") ? "*" : [...settings.corsOrigins],
        allowHeaders: ["Authorization", "Content-Type", "Last-Event-ID", "X-Request-Id"],
        exposeHeaders: ["Location", "Retry-After", "X-Request-Id", "X-Correlation-Id"],
      }),
    );
  }
  const limitBody = bodyLimit({
    maxSize: settings.maxBodyBytes,
    onError: (c) =>
      problemResponse(
        "payload-too-large",
        `request body exceeds ${settings.maxBodyBytes} bytes`,
        {},
        c.req.path,
      ),
  });
  const auth = bearerAuth(deps.authenticator, { queryTokenPaths: ["/api/v1/events", "/api/v1/ws"] });
  // One middleware layer for both (each layer costs every request): the body limit only where bodies are accepted
  // (reading `req.raw.body` on a GET turns node-server's light request into a full one), then auth except on the
  // public API description.
  app.use("/api/v1/*", (c, next) => {
    const authorized = async () => {
      await (PUBLIC_API_PATHS.has(c.req.path) ? next() : auth(c, next));
    };
    return BODY_METHODS.has(c.req.method) ? limitBody(c, authorized) : authorized();
  });

  registerWorkerGauges(deps.metrics.workerMeter, readModel, prices, now);

  app.route("/", createHealthRouter({ readModel, isNatsConnected: deps.isNatsConnected }));
  app.route(
    "/",
    createMetricsRouter({
      scrape: deps.metrics.scrape,
      auth: bearerAuth(withMetricsToken(deps.authenticator, settings.metricsTokenSha256)),
    }),
  );
  app.route(
    "/api/v1/workers",
    createWorkersRouter({
      readModel,
      commands: deps.commands,
      feed,
      refreshes,
      logger,
      now,
      view,
      refreshWaitMaxSeconds: settings.refreshWaitMaxSeconds,
      registerWaitMs: settings.registerWaitMs,
    }),
  );
  app.route(
    "/api/v1/workers",
    createLifecycleRouter({
      readModel,
      lifecycle: createLifecycleRequests({ commands: deps.commands, feed, readModel, logger }),
      view,
      now,
      waitMaxSeconds: settings.lifecycleWaitMaxSeconds,
    }),
  );
  app.route(
    "/api/v1/fleet",
    createFleetRouter({
      readModel,
      prices,
      now,
      idleThresholdMinutes: settings.idleThresholdMinutes,
      collectIntervalsSeconds: settings.collectIntervalsSeconds,
      refreshMinIntervalSeconds: settings.refreshMinIntervalSeconds,
    }),
  );
  app.route("/api/v1", createHistoryRouter({ history: deps.history, readModel, now }));
  app.route(
    "/api/v1",
    createEventsRouter({
      hub,
      feed,
      logger,
      heartbeatMs: settings.heartbeatMs,
      writeTimeoutMs: settings.sseWriteTimeoutMs,
      queueLimits: settings.queueLimits,
    }),
  );
  app.route(
    "/api/v1",
    createWsRouter({
      hub,
      upgrades,
      keepAlive,
      limits: {
        maxBufferedBytes: settings.queueLimits.maxBytes,
        maxSubscriptions: settings.wsMaxSubscriptions,
      },
    }),
  );
  app.route("/api/v1", createDocsRouter());
  app.route("/", createDashboardRouter());

  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description: "Token from API_TOKENS (roles viewer, operator)",
  });
  app.doc31(OPENAPI_PATH, {
    openapi: "3.1.0",
    info: {
      title: "cml-telemetry API",
      version: "1.0.0",
      description:
        "Live, source-separated telemetry of CML workers. Errors are RFC 7807 problem+json with stable `type` URIs. Every response carries `X-Request-Id` (the caller's, when it is 1–128 characters of `[A-Za-z0-9._:-]`, else a new one); it is also the correlation id of the refresh, registration or lifecycle action (start, stop, terminate) a request starts.",
    },
    servers: [{ url: "/" }],
  });

  app.notFound((c) =>
    problemResponse("not-found", `no route for ${c.req.method} ${c.req.path}`, {}, c.req.path),
  );
  app.onError((error, c) => {
    if (error instanceof ProblemError) return respondProblem(c, error);
    if (error instanceof HTTPException) {
      const kind = STATUS_KINDS[error.status] ?? "internal-error";
      return problemResponse(kind, error.message || "request rejected", {}, c.req.path);
    }
    logger.error(
      { err: error, method: c.req.method, path: c.req.path, correlationId: c.get("requestId") },
      "request failed",
    );
    return problemResponse("internal-error", "unexpected error; see the server log", {}, c.req.path);
  });

  return {
    app,
    injectWebSocket: (server) => upgrades.inject(server, (request, env) => app.fetch(request, env)),
    hub,
    refreshes,
    settings,
    close() {
      keepAlive.stop();
      hub.closeAll("server_shutdown");
      upgrades.close();
      refreshes.close();
    },
  };
}
