import {
  createEvent,
  createTopology,
  decodeEvent,
  type HistoryQueryReply,
  historyQueries,
  historyQueryReplySchema,
  opsEvents,
  parseEventData,
  subjects,
} from "@cml-telemetry/contracts";
import { createCloudEventSchemaValidator } from "@cml-telemetry/contracts/testing";
import { createEmbeddedStore, type WorkerMetricsStore } from "@cml-telemetry/history-store";
import {
  connectNats,
  createOpsPublisher,
  type OpsPublisher,
  provisionTopology,
  publishEvent,
  silentLogger,
} from "@cml-telemetry/messaging";
import { startNatsServer, type TestNatsServer, uniquePrefix, waitFor } from "@cml-telemetry/testing";
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { MeterProvider } from "@opentelemetry/sdk-metrics";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MetricsHistoryService, startMetricsHistory } from "./start-metrics-history.ts";
import {
  cloudwatchTelemetry,
  cmlTelemetry,
  ec2StatusTelemetry,
  sourceFailedTelemetry,
  type TelemetryMessage,
  testWorker,
} from "./testing/index.ts";

const validateCloudEvent = createCloudEventSchemaValidator();
const t0 = new Date(Date.now() - 6 * 3_600_000);
t0.setUTCMinutes(0, 0, 0);
const minutes = (n: number): Date => new Date(t0.getTime() + n * 60_000);
const rangeEnd = minutes(6 * 60);

describe("metrics-history over NATS (embedded store)", () => {
  let server: TestNatsServer;
  let nc: NatsConnection;
  let ops: OpsPublisher;
  const topology = createTopology({ namePrefix: uniquePrefix() });
  let store: WorkerMetricsStore;
  let service: MetricsHistoryService;

  const startInstance = async (): Promise<void> => {
    store = createEmbeddedStore({ retentionDays: 30 });
    service = await startMetricsHistory({
      nc,
      topology,
      store,
      storeKind: "embedded",
      logger: silentLogger,
      meter: new MeterProvider().getMeter("test"),
      ops,
      retentionCheckSeconds: 3600,
      batchSize: 50,
    });
    await service.serving;
  };
  const stopInstance = async (): Promise<void> => {
    await service.stop();
    await store.close();
  };
  const publish = async (...messages: TelemetryMessage[]): Promise<void> => {
    const js = jetstream(nc);
    for (const { subject, event } of messages) await publishEvent(js, subject, event);
  };
  /** Sends raw bytes as a query; checks the reply against the CloudEvents schema and the contract. */
  const queryRaw = async (payload: Uint8Array): Promise<HistoryQueryReply> => {
    const msg = await nc.request(subjects.historyQuery, payload, { timeout: 2_000 });
    const json = JSON.parse(new TextDecoder().decode(msg.data)) as Record<string, unknown>;
    expect(validateCloudEvent(json)).toBeUndefined();
    expect(json.source).toBe("/cml-telemetry/metrics-history");
    const reply = parseEventData(historyQueries.reply, decodeEvent(msg.data));
    expect(historyQueryReplySchema.parse(reply)).toEqual(reply);
    return reply;
  };
  /** A request envelope built by the contract helpers, carrying `data` as given (valid or not). */
  const query = (data: Record<string, unknown>): Promise<HistoryQueryReply> => {
    const template = createEvent(historyQueries.request, {
      source: "api",
      data: { workerId: testWorker(1).workerId, from: t0.toISOString(), to: rangeEnd.toISOString() },
    });
    return queryRaw(new TextEncoder().encode(JSON.stringify({ ...template.toJSON(), data })));
  };

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connectNats({ url: server.url, name: "metrics-history-test", logger: silentLogger });
    await provisionTopology(nc, topology, { logger: silentLogger });
    ops = createOpsPublisher({ nc, service: "metrics-history", logger: silentLogger });
    await startInstance();
  });
  afterAll(async () => {
    await service?.stop();
    await store?.close();
    await nc?.drain();
    await server?.stop();
  });

  it("makes published telemetry queryable within 2 s", async () => {
    const worker = testWorker(1);
    await publish(
      cloudwatchTelemetry(worker, minutes(0), { cpu: 10, memory: 40 }),
      cmlTelemetry(worker, minutes(1), {
        labsCount: 2,
        runningLabsCount: 1,
        cpuPercent: 5,
        memoryUsedPercent: 20,
      }),
      ec2StatusTelemetry(worker, minutes(2), "running"),
      sourceFailedTelemetry(worker, "cml", minutes(3)),
    );
    const reply = await waitFor(
      async () => {
        const answer = await query({
          workerId: worker.workerId,
          from: t0.toISOString(),
          to: rangeEnd.toISOString(),
        });
        return answer.ok && answer.samples?.length === 3 ? answer : undefined;
      },
      { timeoutMs: 2_000, what: "three samples of worker 1" },
    );
    if (!reply.ok) throw new Error("unreachable");
    expect(reply.samples?.map((sample) => [sample.source, sample.values])).toEqual([
      ["cloudwatch", { cpu: 10, memory: 40 }],
      ["cml", { labsCount: 2, runningLabsCount: 1, cpuPercent: 5, memoryUsedPercent: 20 }],
      ["ec2", { status: 1 }],
    ]);
  });

  it("answers a malformed query with an error naming the field", async () => {
    const notJson = await queryRaw(new TextEncoder().encode("definitely not json"));
    expect(notJson).toMatchObject({ ok: false, error: { type: "validation", field: "body" } });
    const badRange = await query({
      workerId: testWorker(1).workerId,
      from: rangeEnd.toISOString(),
      to: t0.toISOString(),
    });
    expect(badRange).toMatchObject({ ok: false, error: { type: "validation", field: "from" } });
    const badInterval = await query({
      workerId: testWorker(1).workerId,
      from: t0.toISOString(),
      to: rangeEnd.toISOString(),
      intervalSeconds: 1,
    });
    expect(badInterval).toMatchObject({ ok: false, error: { type: "validation", field: "intervalSeconds" } });
  });

  it("keeps averages unchanged when observations are delivered twice", async () => {
    const worker = testWorker(2);
    const originals = [0, 5, 10, 15].map((m, i) =>
      cloudwatchTelemetry(worker, minutes(m), { cpu: 10 * (i + 1), memory: 50 }),
    );
    await publish(...originals);
    const hourly = {
      workerId: worker.workerId,
      from: t0.toISOString(),
      to: rangeEnd.toISOString(),
      intervalSeconds: 3600,
    };
    const before = await waitFor(
      async () => {
        const answer = await query(hourly);
        return answer.ok && answer.buckets?.[0]?.count === 4 ? answer : undefined;
      },
      { timeoutMs: 2_000, what: "four cloudwatch samples" },
    );
    // The same observations again under new event ids (a collector retry), plus a byte-identical republish.
    await publish(
      ...[0, 5, 10, 15].map((m, i) =>
        cloudwatchTelemetry(worker, minutes(m), { cpu: 10 * (i + 1), memory: 50 }),
      ),
      originals[0] as TelemetryMessage,
      cloudwatchTelemetry(worker, minutes(20), { cpu: 50, memory: 50 }),
    );
    const after = await waitFor(
      async () => {
        const answer = await query({ ...hourly, to: minutes(20).toISOString() });
        const last = await query({ ...hourly, from: minutes(20).toISOString() });
        return last.ok && last.buckets?.length === 1 ? answer : undefined;
      },
      { timeoutMs: 2_000, what: "the marker sample after the duplicates" },
    );
    expect(after).toEqual(before.ok ? { ...before, to: minutes(20).toISOString() } : before);
    if (!after.ok) throw new Error("unreachable");
    expect(after.buckets?.[0]?.metrics.cpu).toEqual({ count: 4, avg: 25, min: 10, max: 40 });
  });

  it("still returns the history of a terminated worker", async () => {
    const worker = testWorker(3);
    await publish(
      ec2StatusTelemetry(worker, minutes(0), "running"),
      cloudwatchTelemetry(worker, minutes(1), { cpu: 70, memory: 60 }),
      ec2StatusTelemetry(worker, minutes(30), "shutting-down"),
      ec2StatusTelemetry(worker, minutes(35), "terminated"),
    );
    const reply = await waitFor(
      async () => {
        const answer = await query({
          workerId: worker.workerId,
          from: t0.toISOString(),
          to: rangeEnd.toISOString(),
        });
        return answer.ok && answer.samples?.length === 4 ? answer : undefined;
      },
      { timeoutMs: 2_000, what: "the terminated worker's samples" },
    );
    if (!reply.ok) throw new Error("unreachable");
    expect(reply.samples?.map((sample) => sample.labels?.statusName ?? sample.source)).toEqual([
      "RUNNING",
      "cloudwatch",
      "SHUTTING_DOWN",
      "TERMINATED",
    ]);
    expect(reply.samples?.at(-1)?.values).toEqual({ status: 5 });
  });

  it("rebuilds the embedded store on restart with identical query results", async () => {
    const queries = [1, 2, 3].flatMap((n) => {
      const base = { workerId: testWorker(n).workerId, from: t0.toISOString(), to: rangeEnd.toISOString() };
      return [base, { ...base, intervalSeconds: 3600 }, { ...base, intervalSeconds: 600, sources: ["ec2"] }];
    });
    const before = await Promise.all(queries.map(query));
    const samplesBefore = (await store.stats()).samples;
    await stopInstance();
    await expect(nc.request(subjects.historyQuery, new Uint8Array(), { timeout: 500 })).rejects.toThrow();
    await startInstance();
    expect(service.progress()).toMatchObject({ caughtUp: true, replayTotal: expect.any(Number) });
    expect(service.progress().replayed).toBe(service.progress().replayTotal);
    expect((await store.stats()).samples).toBe(samplesBefore);
    const after = await Promise.all(queries.map(query));
    expect(after).toEqual(before);
    expect(before.every((reply) => reply.ok)).toBe(true);
  });

  it("reports the retention job as ops events", async () => {
    const seen: Array<Record<string, unknown>> = [];
    const sub = nc.subscribe(subjects.opsJob("metrics-history"), {
      callback: (_error, msg) => {
        seen.push(JSON.parse(new TextDecoder().decode(msg.data)));
      },
    });
    await stopInstance();
    await startInstance();
    await waitFor(() => seen.some((event) => event.type === opsEvents.jobCompleted.type), {
      what: "history-retention job.completed",
    });
    sub.unsubscribe();
    for (const event of seen) expect(validateCloudEvent(event)).toBeUndefined();
    expect(seen.map((event) => [event.type, (event.data as { jobName: string }).jobName])).toEqual([
      [opsEvents.jobStarted.type, "history-retention"],
      [opsEvents.jobCompleted.type, "history-retention"],
    ]);
  });
});
