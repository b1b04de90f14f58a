import { describe, expect, it } from "vitest";
import { createTestApp } from "../../app/create-test-app.ts";
import { HistoryUnavailableError } from "../../ports.ts";
import { PROBLEM_BASE } from "../../problems.ts";
import { aWorkerState } from "../../testing/worker-state-builder.ts";

const NOW = new Date("2026-11-25T12:00:00.000Z");
const worker = aWorkerState();
const goneId = "0b9c0d1e-2f3a-5b4c-8d6e-7f8091a2b3c4";

function setup() {
  const t = createTestApp({ now: () => NOW });
  t.readModel.upsert(worker);
  return t;
}

function get(t: ReturnType<typeof setup>, id: string, query: string) {
  return t.app.request(`/api/v1/workers/${id}/metrics/history${query}`, { headers: t.auth("viewer") });
}

describe("GET /api/v1/workers/:id/metrics/history", () => {
  it("asks metrics-history with the parsed range, interval, sources and metrics and answers snake_case buckets", async () => {
    const t = setup();
    t.history.answer = (request) => ({
      ok: true,
      workerId: request.workerId,
      from: request.from,
      to: request.to,
      intervalSeconds: request.intervalSeconds ?? null,
      buckets: [
        {
          start: request.from,
          source: "cml",
          count: 2,
          metrics: { labsCount: { count: 2, avg: 3, min: 2, max: 4 } },
        },
      ],
    });
    const response = await get(
      t,
      worker.id,
      "?from=2026-11-25T00:00:00Z&to=2026-11-25T06:00:00Z&interval=5m&source=cml,cloudwatch&metrics=labs_count,cpu",
    );
    expect(response.status).toBe(200);
    expect(t.history.requests[0]).toEqual({
      workerId: worker.id,
      from: "2026-11-25T00:00:00.000Z",
      to: "2026-11-25T06:00:00.000Z",
      intervalSeconds: 300,
      sources: ["cml", "cloudwatch"],
      metrics: ["labsCount", "cpu"],
    });
    const body = (await response.json()) as { interval_seconds: number; buckets: Array<{ metrics: object }> };
    expect(body.interval_seconds).toBe(300);
    expect(body.buckets[0]?.metrics).toEqual({ labs_count: { count: 2, avg: 3, min: 2, max: 4 } });
  });

  it("defaults to the last 24 hours of raw samples", async () => {
    const t = setup();
    expect((await get(t, worker.id, "")).status).toBe(200);
    expect(t.history.requests[0]).toEqual({
      workerId: worker.id,
      from: "2026-11-24T12:00:00.000Z",
      to: "2026-11-25T12:00:00.000Z",
    });
  });

  it.each([
    ["?from=2026-11-25T06:00:00Z&to=2026-11-25T00:00:00Z", "from"],
    ["?from=yesterday", "from"],
    ["?to=2026-13-45", "to"],
    ["?from=2026-09-01T00:00:00Z&to=2026-11-25T00:00:00Z", "to"],
    ["?interval=10", "interval"],
    ["?interval=2d", "interval"],
    ["?interval=often", "interval"],
    ["?source=ec2,disk", "source"],
    ["?metrics=cpu,temperature", "metrics"],
    ["?limit=0", "limit"],
  ])("answers 400 validation-error for %s naming %s", async (query, param) => {
    const t = setup();
    const response = await get(t, worker.id, query);
    expect(response.status).toBe(400);
    const problem = (await response.json()) as { type: string; param: string };
    expect(problem).toMatchObject({ type: `${PROBLEM_BASE}validation-error`, param });
    expect(t.history.requests).toHaveLength(0);
  });

  it("answers 503 service-unavailable when nobody answers", async () => {
    const t = setup();
    t.history.answer = () => {
      throw new HistoryUnavailableError("no responders");
    };
    const response = await get(t, worker.id, "");
    expect(response.status).toBe(503);
    expect(((await response.json()) as { type: string }).type).toBe(`${PROBLEM_BASE}service-unavailable`);
  });

  it("passes a validation error of the history service on as 400 naming the field, internal as 502", async () => {
    const t = setup();
    t.history.answer = () => ({
      ok: false,
      error: { type: "validation", message: "too many", field: "limit" },
    });
    const bad = await get(t, worker.id, "");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { param: string }).param).toBe("limit");
    t.history.answer = () => ({ ok: false, error: { type: "internal", message: "boom" } });
    expect((await get(t, worker.id, "")).status).toBe(502);
  });

  it("serves history of a worker that is gone from the cache, 404 only when it has none", async () => {
    const t = setup();
    const empty = await get(t, goneId, "");
    expect(empty.status).toBe(404);
    t.history.answer = (request) => ({
      ok: true,
      workerId: request.workerId,
      from: request.from,
      to: request.to,
      intervalSeconds: null,
      samples: [{ timestamp: request.from, source: "cloudwatch", region: "us-east-1", values: { cpu: 5 } }],
    });
    const kept = await get(t, goneId, "");
    expect(kept.status).toBe(200);
    expect(((await kept.json()) as { samples: unknown[] }).samples).toHaveLength(1);
    expect((await get(t, "not-a-uuid", "")).status).toBe(404);
  });
});
