import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Health } from "./create-health.ts";
import { PROMETHEUS_CONTENT_TYPE } from "./prometheus-text.ts";

/** Options of {@link startObservabilityServer}. */
export interface ObservabilityServerOptions {
  /** Port to listen on; 0 picks a free one (see `port` of the result). */
  port: number;
  /** Listen address; default all interfaces. */
  host?: string;
  /** Renders `/metrics`; without it `/metrics` is 404. */
  metrics?: () => Promise<string>;
  /** Backs `/readyz`; without it `/readyz` answers like `/healthz`. */
  health?: Health;
}

/** A running observability HTTP server. */
export interface ObservabilityServer {
  /** The bound port. */
  port: number;
  close(): Promise<void>;
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { "content-type": contentType, "cache-control": "no-store" });
  response.end(body);
}

const json = (response: ServerResponse, status: number, body: unknown): void =>
  send(response, status, "application/json", JSON.stringify(body));

async function handle(
  options: ObservabilityServerOptions,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  if (request.method !== "GET" && request.method !== "HEAD")
    return json(response, 405, { error: "method not allowed" });
  const path = new URL(request.url ?? "/", "http://localhost").pathname;
  if (path === "/healthz") return json(response, 200, { status: "ok" });
  if (path === "/readyz") {
    const report = options.health?.report() ?? { ready: true, checks: {} };
    return json(response, report.ready ? 200 : 503, report);
  }
  if (path === "/metrics" && options.metrics)
    return send(response, 200, PROMETHEUS_CONTENT_TYPE, await options.metrics());
  return json(response, 404, { error: "not found" });
}

/**
 * Serves `/metrics` (Prometheus text), `/healthz` (liveness) and `/readyz` (readiness, 503 until ready).
 * @example const server = await startObservabilityServer({ port: 9464, metrics: () => collectPrometheusText(reader), health });
 */
export async function startObservabilityServer(
  options: ObservabilityServerOptions,
): Promise<ObservabilityServer> {
  const server = createServer((request, response) => {
    handle(options, request, response).catch((error: unknown) => {
      if (!response.headersSent)
        json(response, 500, { error: error instanceof Error ? error.message : String(error) });
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
