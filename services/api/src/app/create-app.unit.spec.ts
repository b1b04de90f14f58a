import SwaggerParser from "@apidevtools/swagger-parser";
import { describe, expect, it } from "vitest";
import { PROBLEM_BASE, PROBLEM_TYPES } from "../problems.ts";
import { aWorkerState } from "../testing/worker-state-builder.ts";
import { createTestApp } from "./create-test-app.ts";

describe("operations endpoints", () => {
  it("GET /healthz answers 200 without a token", async () => {
    const t = createTestApp();
    expect((await t.app.request("/healthz")).status).toBe(200);
  });

  it("GET /readyz answers 200 when NATS is connected and the cache synced, else a 503 problem", async () => {
    const t = createTestApp();
    expect((await t.app.request("/readyz")).status).toBe(200);
    t.natsConnected.value = false;
    const down = await t.app.request("/readyz");
    expect(down.status).toBe(503);
    expect(down.headers.get("content-type")).toBe("application/problem+json");
    expect(((await down.json()) as { detail: string }).detail).toContain("nats");
  });

  it("GET /metrics shows the worker gauges labelled worker_id and region, and HTTP self-metrics", async () => {
    const t = createTestApp({ now: () => new Date("2026-11-25T12:00:00.000Z") });
    const worker = aWorkerState({
      region: "eu-west-1",
      status: "STOPPED",
      cmlReadySince: "2026-11-25T11:00:00.000Z",
      cloudwatchMetrics: { ...aWorkerState().cloudwatchMetrics, cpuUtilization: 12.5, memoryUtilization: 40 },
      cmlMetrics: { ...aWorkerState().cmlMetrics, ready: true, labsCount: 4 },
    });
    const running = aWorkerState({
      cmlReadySince: "2026-11-25T11:00:00.000Z",
      cmlMetrics: { ...aWorkerState().cmlMetrics, ready: true },
    });
    t.readModel.upsert(worker);
    t.readModel.upsert(running);
    await t.app.request("/healthz");
    const text = await (await t.app.request("/metrics")).text();
    const labels = `worker_id="${worker.id}",region="eu-west-1"`;
    expect(text).toMatch(new RegExp(`cml_worker_status\\{[^}]*${labels}[^}]*\\} 3`));
    expect(text).toMatch(new RegExp(`cml_worker_cpu_utilization\\{[^}]*${labels}[^}]*\\} 12.5`));
    expect(text).toMatch(new RegExp(`cml_worker_memory_utilization\\{[^}]*${labels}[^}]*\\} 40`));
    expect(text).toMatch(new RegExp(`cml_worker_labs_count\\{[^}]*${labels}[^}]*\\} 4`));
    // Uptime only while RUNNING, whatever readiness the stopped worker's state still holds.
    expect(text).not.toMatch(new RegExp(`cml_worker_uptime_seconds\\{[^}]*${labels}`));
    expect(text).toMatch(
      new RegExp(`cml_worker_uptime_seconds\\{[^}]*worker_id="${running.id}"[^}]*\\} 3600`),
    );
    expect(text).toMatch(
      /http_server_request_duration_seconds_count\{[^}]*route="\/healthz"[^}]*status="200"[^}]*\} 1/,
    );
    expect(text).toContain("http_server_request_duration_seconds_bucket");
  });
});

describe("errors and headers", () => {
  it("answers unknown routes with a 404 problem", async () => {
    const t = createTestApp();
    const response = await t.app.request("/api/v1/nothing-here", { headers: t.auth("viewer") });
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(await response.json()).toMatchObject({ type: `${PROBLEM_BASE}not-found`, status: 404 });
    const root = await t.app.request("/no/such/page");
    expect(root.status).toBe(404);
  });

  it("keeps a stable problem type table under one base URI", () => {
    for (const [kind, { status }] of Object.entries(PROBLEM_TYPES)) {
      expect(kind).toMatch(/^[a-z-]+$/);
      expect(status).toBeGreaterThanOrEqual(400);
    }
  });

  it("sets secure headers and no CORS headers by default", async () => {
    const t = createTestApp();
    const response = await t.app.request("/api/v1/workers", {
      headers: { ...t.auth("viewer"), origin: "https://evil.example" },
    });
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("content-security-policy")).toBe(
      "default-src 'none'; frame-ancestors 'none'",
    );
    expect(response.headers.get("strict-transport-security")).toMatch(/^max-age=/);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    const problem = await t.app.request("/api/v1/workers/not-a-uuid", { headers: t.auth("viewer") });
    expect(problem.headers.get("x-content-type-options")).toBe("nosniff");
    const html = await t.app.request("/");
    expect(html.headers.get("cross-origin-opener-policy")).toBe("same-origin");
    expect(html.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("answers CORS for configured origins only", async () => {
    const t = createTestApp({ settings: { corsOrigins: ["https://dash.example"] } });
    const allowed = await t.app.request("/api/v1/workers", {
      headers: { ...t.auth("viewer"), origin: "https://dash.example" },
    });
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://dash.example");
    const other = await t.app.request("/api/v1/workers", {
      headers: { ...t.auth("viewer"), origin: "https://evil.example" },
    });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("serves the dashboard page at / and the docs without a token", async () => {
    const t = createTestApp();
    expect((await t.app.request("/")).status).toBe(200);
    const docs = await t.app.request("/api/v1/docs");
    expect(docs.status).toBe(200);
    const html = await docs.text();
    expect(html).toContain("/api/v1/openapi.json");
    expect(html).not.toMatch(/<script[^>]+src=/);
  });
});

describe("OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document listing every route", async () => {
    const t = createTestApp();
    const response = await t.app.request("/api/v1/openapi.json");
    expect(response.status).toBe(200);
    const doc = (await response.json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    expect(doc.openapi).toBe("3.1.0");
    await SwaggerParser.validate(structuredClone(doc) as never);
    const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations.sort()).toEqual(
      [
        "GET /healthz",
        "GET /readyz",
        "GET /metrics",
        "GET /api/v1/workers",
        "POST /api/v1/workers",
        "GET /api/v1/workers/{id}",
        "POST /api/v1/workers/{id}/refresh",
        "GET /api/v1/workers/{id}/events",
        "GET /api/v1/workers/{id}/metrics/history",
        "GET /api/v1/events",
        "GET /api/v1/ws",
        "GET /api/v1/whoami",
      ].sort(),
    );
  });
});
