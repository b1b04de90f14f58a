import { createEvent, encodeEvent, historyQueries, historyQueryReplySchema } from "@cml-telemetry/contracts";
import {
  createEmbeddedStore,
  StoreUnavailableError,
  type WorkerMetricsStore,
} from "@cml-telemetry/history-store";
import { beforeAll, describe, expect, it } from "vitest";
import { writeTelemetryBatch } from "../ingest/write-telemetry-batch.ts";
import { cloudwatchTelemetry, ec2StatusTelemetry, testWorker } from "../testing/index.ts";
import { answerHistoryQuery } from "./answer-history-query.ts";

const worker = testWorker(3);
const t0 = new Date("2026-11-25T10:00:00.000Z");
const minutes = (n: number): Date => new Date(t0.getTime() + n * 60_000);
const encoder = new TextEncoder();

function requestBytes(data: Record<string, unknown>, correlationId?: string): Uint8Array {
  const event = createEvent(historyQueries.request, {
    source: "api",
    data: { workerId: worker.workerId, from: minutes(0).toISOString(), to: minutes(120).toISOString() },
    ...(correlationId ? { correlationId } : {}),
  });
  return encoder.encode(JSON.stringify({ ...event.toJSON(), data }));
}

const validRequest = (extra: Record<string, unknown> = {}) => ({
  workerId: worker.workerId,
  from: minutes(0).toISOString(),
  to: minutes(120).toISOString(),
  ...extra,
});

describe("answerHistoryQuery", () => {
  const store = createEmbeddedStore({ retentionDays: 30 });
  beforeAll(async () => {
    const events = [
      cloudwatchTelemetry(worker, minutes(0), { cpu: 10, memory: 30 }).event,
      cloudwatchTelemetry(worker, minutes(5), { cpu: 20, memory: null }).event,
      cloudwatchTelemetry(worker, minutes(65), { cpu: 60, memory: 50 }).event,
      ec2StatusTelemetry(worker, minutes(1), "running").event,
    ];
    await writeTelemetryBatch(store, events);
  });

  it("answers raw samples oldest first, numeric values apart from status labels", async () => {
    const { reply, workerId, correlationId } = await answerHistoryQuery(
      store,
      requestBytes(validRequest(), "c-1"),
    );
    expect(historyQueryReplySchema.parse(reply)).toEqual(reply);
    expect(workerId).toBe(worker.workerId);
    expect(correlationId).toBe("c-1");
    if (!reply.ok) throw new Error(reply.error.message);
    expect(reply.intervalSeconds).toBeNull();
    expect(reply.samples?.map((sample) => sample.source)).toEqual([
      "cloudwatch",
      "ec2",
      "cloudwatch",
      "cloudwatch",
    ]);
    expect(reply.samples?.[1]).toEqual({
      timestamp: minutes(1).toISOString(),
      source: "ec2",
      region: "us-east-1",
      values: { status: 1 },
      labels: { statusName: "RUNNING", instanceStatus: "ok", systemStatus: "ok" },
    });
    expect(reply.samples?.[2]?.values).toEqual({ cpu: 20 });
  });

  it("answers hourly buckets with avg/min/max per source, filtered by source and metric", async () => {
    const bytes = requestBytes(
      validRequest({ intervalSeconds: 3600, sources: ["cloudwatch"], metrics: ["cpu"] }),
    );
    const { reply } = await answerHistoryQuery(store, bytes);
    if (!reply.ok) throw new Error(reply.error.message);
    expect(reply.buckets).toEqual([
      {
        start: minutes(0).toISOString(),
        source: "cloudwatch",
        count: 2,
        metrics: { cpu: { count: 2, avg: 15, min: 10, max: 20 } },
      },
      {
        start: minutes(60).toISOString(),
        source: "cloudwatch",
        count: 1,
        metrics: { cpu: { count: 1, avg: 60, min: 60, max: 60 } },
      },
    ]);
  });

  it("honours limit and leaves out samples without the metrics asked for", async () => {
    const { reply } = await answerHistoryQuery(
      store,
      requestBytes(validRequest({ limit: 2, metrics: ["memory"] })),
    );
    if (!reply.ok) throw new Error(reply.error.message);
    expect(reply.samples).toEqual([expect.objectContaining({ values: { memory: 30 } })]);
  });

  it.each([
    ["from after to", { from: minutes(10).toISOString(), to: minutes(0).toISOString() }, "from"],
    ["an interval below the minimum", { intervalSeconds: 5 }, "intervalSeconds"],
    ["an unknown source", { sources: ["azure"] }, "sources.0"],
    ["a bad worker id", { workerId: "not-a-uuid" }, "workerId"],
    ["a range over 31 days", { to: new Date(t0.getTime() + 40 * 86_400_000).toISOString() }, "to"],
  ])("refuses %s naming the field", async (_case, change, field) => {
    const { reply } = await answerHistoryQuery(store, requestBytes(validRequest(change)));
    expect(reply).toMatchObject({ ok: false, error: { type: "validation", field } });
  });

  it("refuses a message that is not JSON, not a CloudEvent or not a query", async () => {
    const notJson = await answerHistoryQuery(store, encoder.encode("{nope"));
    expect(notJson.reply).toMatchObject({ ok: false, error: { type: "validation", field: "body" } });
    const notEvent = await answerHistoryQuery(
      store,
      encoder.encode(JSON.stringify({ workerId: worker.workerId })),
    );
    expect(notEvent.reply).toMatchObject({ ok: false, error: { type: "validation", field: "specversion" } });
    const other = createEvent(historyQueries.reply, {
      source: "api",
      data: { ok: false, error: { type: "internal", message: "x" } },
    });
    const wrongType = await answerHistoryQuery(store, encodeEvent(other));
    expect(wrongType.reply).toMatchObject({ ok: false, error: { type: "validation", field: "type" } });
  });

  it("answers unavailable when the store is down and internal on an unexpected failure", async () => {
    const down: WorkerMetricsStore = {
      ...store,
      getSamples: async () => {
        throw new StoreUnavailableError("no primary");
      },
    };
    const unavailable = await answerHistoryQuery(down, requestBytes(validRequest()));
    expect(unavailable.reply).toMatchObject({ ok: false, error: { type: "unavailable" } });
    const broken: WorkerMetricsStore = {
      ...store,
      getSamples: async () => {
        throw new TypeError("boom");
      },
    };
    const internal = await answerHistoryQuery(broken, requestBytes(validRequest()));
    expect(internal.reply).toMatchObject({ ok: false, error: { type: "internal" } });
    expect(internal.cause).toBeInstanceOf(TypeError);
  });
});
