import SwaggerParser from "@apidevtools/swagger-parser";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../auth/token-authenticator.ts";
import { PROBLEM_BASE, PROBLEM_TYPES, type ProblemKind, problemDocument } from "../problems.ts";
import { givenPrice } from "../testing/price-entry.ts";
import { aWorkerState } from "../testing/worker-state-builder.ts";
import { createTestApp } from "./create-test-app.ts";

const API_CSP = "default-src 'none'; frame-ancestors 'none'";

describe("operations endpoints", () => {
  it("GET /healthz answers 200 without a token", async () => {
    const t = createTestApp();
    expect((await t.app.request("/healthz")).status).toBe(200);
  });

  it("GET /readyz answers 200 when NATS is connected and the cache synced, else a 503 problem naming what is not", async () => {
    const t = createTestApp();
    const ready = await t.app.request("/readyz");
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready", checks: { nats: true, worker_cache: true } });
    t.natsConnected.value = false;
    const down = await t.app.request("/readyz");
    expect(down.status).toBe(503);
    expect(down.headers.get("content-type")).toBe("application/problem+json");
    expect(((await down.json()) as { detail: string }).detail).toBe("not ready: nats");

    const unsynced = createTestApp({ synced: false });
    const syncing = await unsynced.app.request("/readyz");
    expect(syncing.status).toBe(503);
    expect(((await syncing.json()) as { detail: string }).detail).toBe("not ready: worker_cache");
    unsynced.readModel.markSynced();
    expect((await unsynced.app.request("/readyz")).status).toBe(200);
  });

  it("GET /metrics shows the worker gauges labelled worker_id and region, and HTTP self-metrics", async () => {
    const t = createTestApp({ now: () => new Date("2026-11-25T12:00:00.000Z") });
    const worker = aWorkerState({
      region: "eu-west-1",
      status: "RUNNING",
      cmlReadySince: "2026-11-25T11:00:00.000Z",
      cloudwatchMetrics: { ...aWorkerState().cloudwatchMetrics, cpuUtilization: 12.5, memoryUtilization: 40 },
      cmlMetrics: { ...aWorkerState().cmlMetrics, ready: true, labsCount: 4 },
    });
    t.readModel.upsert(worker);
    await t.app.request("/healthz");
    const text = await (await t.app.request("/metrics", { headers: t.auth("viewer") })).text();
    const labels = `worker_id="${worker.id}",region="eu-west-1"`;
    expect(text).toMatch(new RegExp(`cml_worker_status\\{${labels}\\} 1`));
    expect(text).toMatch(new RegExp(`cml_worker_cpu_utilization\\{${labels}\\} 12.5`));
    expect(text).toMatch(new RegExp(`cml_worker_memory_utilization\\{${labels}\\} 40`));
    expect(text).toMatch(new RegExp(`cml_worker_labs_count\\{${labels}\\} 4`));
    expect(text).toMatch(new RegExp(`cml_worker_uptime_seconds\\{${labels}\\} 3600`));
    expect(text).toMatch(
      /http_server_request_duration_seconds_count\{[^}]*route="\/healthz"[^}]*status="200"[^}]*\} 1/,
    );
    expect(text).toContain("http_server_request_duration_seconds_bucket");
    expect(text).not.toContain("otel_scope_name");
  });

  it("GET /metrics keeps only the status of a STOPPED worker, and no series at all once it is terminated or gone", async () => {
    const t = createTestApp({ now: () => new Date("2026-11-25T12:00:00.000Z") });
    const running = aWorkerState({
      cmlReadySince: "2026-11-25T11:00:00.000Z",
      cloudwatchMetrics: { ...aWorkerState().cloudwatchMetrics, cpuUtilization: 12.5, memoryUtilization: 40 },
      cmlMetrics: { ...aWorkerState().cmlMetrics, ready: true, labsCount: 4 },
    });
    const gone = aWorkerState({ cloudwatchMetrics: { ...running.cloudwatchMetrics } });
    t.readModel.upsert(running);
    t.readModel.upsert(gone);
    const scrape = async () => await (await t.app.request("/metrics", { headers: t.auth("viewer") })).text();
    const seriesOf = (text: string, id: string) =>
      text
        .split("\n")
        .filter((line) => line.includes(`worker_id="${id}"`))
        .map((line) => line.split("{")[0]);
    expect(seriesOf(await scrape(), running.id).sort()).toEqual([
      "cml_worker_cpu_utilization",
      "cml_worker_labs_count",
      "cml_worker_memory_utilization",
      "cml_worker_status",
      "cml_worker_uptime_seconds",
    ]);
    expect(seriesOf(await scrape(), gone.id)).toContain("cml_worker_status");

    t.readModel.upsert({ ...running, status: "STOPPED" });
    t.readModel.remove(gone.id);
    let text = await scrape();
    expect(seriesOf(text, running.id)).toEqual(["cml_worker_status"]);
    expect(text).toMatch(new RegExp(`cml_worker_status\\{worker_id="${running.id}"[^}]*\\} 3`));
    expect(seriesOf(text, gone.id)).toEqual([]);

    t.readModel.upsert({ ...running, status: "TERMINATED", terminatedAt: "2026-11-25T11:59:00.000Z" });
    text = await scrape();
    expect(seriesOf(text, running.id)).toEqual([]);
  });

  it("GET /metrics shows each worker's hourly price while it is known and not terminated, and the fleet's month-to-date cost", async () => {
    const t = createTestApp({ now: () => new Date("2026-11-25T12:00:00.000Z") });
    givenPrice(t.prices, "us-east-1", "m5zn.metal", 3.9641);
    const running = aWorkerState({
      runningSince: "2026-11-25T02:00:00.000Z",
      usage: { month: "2026-11", runningSeconds: 7_200, idleStopSavedSeconds: 0 },
    });
    const stopped = aWorkerState({ status: "STOPPED" });
    const unpriced = aWorkerState({ instanceType: "m5.24xlarge", runningSince: "2026-11-25T11:00:00.000Z" });
    const terminated = aWorkerState({ status: "TERMINATED", terminatedAt: "2026-11-25T11:00:00.000Z" });
    for (const worker of [running, stopped, unpriced, terminated]) t.readModel.upsert(worker);
    const scrape = async () => await (await t.app.request("/metrics", { headers: t.auth("viewer") })).text();
    const hourly = (text: string) =>
      text
        .split("\n")
        .filter((line) => line.startsWith("cml_worker_cost_hourly_usd{"))
        .map((line) => /worker_id="([^"]+)"/.exec(line)?.[1])
        .sort();
    let text = await scrape();
    expect(hourly(text)).toEqual([running.id, stopped.id].sort());
    expect(text).toMatch(
      new RegExp(`cml_worker_cost_hourly_usd\\{worker_id="${running.id}",region="us-east-1"\\} 3.9641`),
    );
    // 2 h closed + 10 h open = 12 h × 3.9641 = 47.5692 → 47.57; the unpriced worker is left out.
    expect(text).toMatch(/^cml_fleet_month_to_date_usd 47\.57$/m);
    t.prices.remove("us-east-1.m5zn_metal");
    text = await scrape();
    expect(hourly(text)).toEqual([]);
    expect(text).toMatch(/^cml_fleet_month_to_date_usd 0$/m);
  });

  it("GET /metrics needs a viewer token or METRICS_TOKEN when tokens are configured, and is open without", async () => {
    const t = createTestApp({ settings: { metricsTokenSha256: sha256Hex("prometheus-scrape-token") } });
    const denied = await t.app.request("/metrics");
    expect(denied.status).toBe(401);
    expect(denied.headers.get("content-type")).toBe("application/problem+json");
    expect((await t.app.request("/metrics", { headers: t.auth("viewer") })).status).toBe(200);
    const scraper = { authorization: "Bearer prometheus-scrape-token" };
    expect((await t.app.request("/metrics", { headers: scraper })).status).toBe(200);
    expect((await t.app.request("/api/v1/workers", { headers: scraper })).status).toBe(401);
    expect((await t.app.request("/metrics", { headers: { authorization: "Bearer nope" } })).status).toBe(401);
    const open = createTestApp({ auth: false });
    expect((await open.app.request("/metrics")).status).toBe(200);
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

  it("keeps a stable problem type table under one base URI", async () => {
    expect(PROBLEM_BASE).toMatch(/^https:\/\/[a-z0-9.-]+\/problems\/$/);
    for (const [kind, { status, title }] of Object.entries(PROBLEM_TYPES)) {
      expect(kind).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(status).toBeGreaterThanOrEqual(400);
      expect(problemDocument(kind as ProblemKind, "detail")).toEqual({
        type: `${PROBLEM_BASE}${kind}`,
        title,
        status,
        detail: "detail",
      });
    }
    const t = createTestApp();
    for (const [path, headers] of [
      ["/api/v1/workers", {}],
      ["/api/v1/nothing", t.auth("viewer")],
      ["/api/v1/workers?limit=0", t.auth("viewer")],
    ] as const) {
      const problem = (await (await t.app.request(path, { headers })).json()) as {
        type: string;
        status: number;
      };
      expect(problem.type.startsWith(PROBLEM_BASE)).toBe(true);
      expect(problem.type.slice(PROBLEM_BASE.length)).toMatch(/^[a-z-]+$/);
    }
  });

  it("puts no-store, the API CSP and X-Frame-Options DENY on every JSON answer and every problem", async () => {
    const t = createTestApp({ auth: false });
    t.natsConnected.value = false;
    const answers = [
      await t.app.request("/healthz"),
      await t.app.request("/readyz"),
      await t.app.request("/api/v1/nothing-here"),
      await t.app.request("/api/v1/whoami"),
      await t.app.request("/api/v1/workers", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ region: "us-east-1", instance_id: "i-0123456789abcdef0" }),
      }),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([200, 503, 404, 200, 201]);
    for (const answer of answers) {
      expect(answer.headers.get("cache-control")).toBe("no-store");
      expect(answer.headers.get("content-security-policy")).toBe(API_CSP);
      expect(answer.headers.get("x-frame-options")).toBe("DENY");
      expect(answer.headers.get("x-content-type-options")).toBe("nosniff");
    }
    const page = await t.app.request("/");
    expect(page.headers.get("x-frame-options")).toBe("DENY");
  });

  it("echoes a valid X-Request-Id on every answer, problems included, and makes one up otherwise", async () => {
    const t = createTestApp();
    const id = "req-7f3a:ab.cd_ef";
    for (const [path, headers] of [
      ["/healthz", {}],
      ["/api/v1/workers", t.auth("viewer")],
      ["/api/v1/workers", {}],
      ["/api/v1/workers/nope", t.auth("viewer")],
      ["/no/such/page", {}],
    ] as const) {
      const answer = await t.app.request(path, { headers: { ...headers, "x-request-id": id } });
      expect(answer.headers.get("x-request-id")).toBe(id);
    }
    for (const bad of ["", "has space", "x".repeat(129), "semi;colon"]) {
      const answer = await t.app.request("/api/v1/workers", {
        headers: { ...t.auth("viewer"), "x-request-id": bad },
      });
      const made = answer.headers.get("x-request-id");
      expect(made).toMatch(/^[0-9a-f-]{36}$/);
    }
    const first = (await t.app.request("/healthz")).headers.get("x-request-id");
    const second = (await t.app.request("/healthz")).headers.get("x-request-id");
    expect(first).not.toBe(second);
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

  it("refuses CORS for any origin on an API without tokens", () => {
    expect(() => createTestApp({ auth: false, settings: { corsOrigins: ["*"] } })).toThrow(
      /API_CORS_ORIGINS/,
    );
  });

  it("serves the dashboard page at / and the docs without a token, the docs under a CSP and from this server only", async () => {
    const t = createTestApp();
    expect((await t.app.request("/")).status).toBe(200);
    const docs = await t.app.request("/api/v1/docs");
    expect(docs.status).toBe(200);
    const html = await docs.text();
    expect(html).toContain("/api/v1/openapi.json");
    expect(html).not.toMatch(/<script[^>]+src=/);
    const csp = docs.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toContain("http");
    expect(docs.headers.get("cache-control")).toBe("no-store");
    expect((await t.app.request("/api/v1/docs/scalar", { headers: t.auth("viewer") })).status).toBe(404);
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
        "POST /api/v1/workers/{id}/start",
        "POST /api/v1/workers/{id}/stop",
        "POST /api/v1/workers/{id}/terminate",
        "GET /api/v1/workers/{id}/events",
        "GET /api/v1/workers/{id}/metrics/history",
        "GET /api/v1/events",
        "GET /api/v1/ws",
        "GET /api/v1/whoami",
        "GET /api/v1/fleet/summary",
      ].sort(),
    );
  });

  it("documents start, stop and terminate: their query, a required confirm on terminate, answers and problems", async () => {
    const t = createTestApp();
    const doc = (await (await t.app.request("/api/v1/openapi.json")).json()) as {
      paths: Record<
        string,
        {
          post: {
            parameters: Array<{ name: string; in: string; required?: boolean }>;
            responses: Record<string, { content: Record<string, { schema: { $ref?: string } }> }>;
          };
        }
      >;
      components: { schemas: Record<string, { properties: Record<string, unknown>; required?: string[] }> };
    };
    for (const action of ["start", "stop", "terminate"]) {
      const operation = doc.paths[`/api/v1/workers/{id}/${action}`]?.post;
      expect(Object.keys(operation?.responses ?? {}).sort()).toEqual(
        ["200", "202", "400", "401", "403", "404", "409", "503"].sort(),
      );
      expect(operation?.responses["200"]?.content["application/json"]?.schema.$ref).toBe(
        "#/components/schemas/LifecycleDone",
      );
      expect(operation?.responses["202"]?.content["application/json"]?.schema.$ref).toBe(
        "#/components/schemas/LifecycleAccepted",
      );
      const query = operation?.parameters.filter((parameter) => parameter.in === "query") ?? [];
      expect(query.map(({ name, required }) => [name, required ?? false])).toEqual(
        action === "terminate"
          ? [
              ["wait", false],
              ["confirm", true],
            ]
          : [["wait", false]],
      );
    }
    expect(Object.keys(doc.components.schemas.Worker?.properties ?? {})).toEqual(
      expect.arrayContaining(["stopped_by", "terminated_by", "last_lifecycle_action", "idle_policy", "cost"]),
    );
    expect(doc.components.schemas.FleetSummary?.properties).toHaveProperty("cost");
  });
});
