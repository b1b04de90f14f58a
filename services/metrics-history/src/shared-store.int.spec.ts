import { randomUUID } from "node:crypto";
import {
  consumerNames,
  createEvent,
  createTopology,
  decodeEvent,
  encodeEvent,
  type HistoryQueryReply,
  historyQueries,
  parseEventData,
  subjects,
} from "@cml-telemetry/contracts";
import { createCloudEventSchemaValidator } from "@cml-telemetry/contracts/testing";
import { createMongoStore, type WorkerMetricsStore } from "@cml-telemetry/history-store";
import { createInMemoryMongo, type InMemoryMongo } from "@cml-telemetry/history-store/testing";
import {
  connectNats,
  createOpsPublisher,
  type Logger,
  type OpsPublisher,
  provisionTopology,
  publishEvent,
  silentLogger,
} from "@cml-telemetry/messaging";
import {
  describeOrSkip,
  startNatsServer,
  type TestNatsServer,
  uniquePrefix,
  waitFor,
} from "@cml-telemetry/testing";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { MeterProvider } from "@opentelemetry/sdk-metrics";
import { MongoClient, MongoNetworkError } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MetricsHistoryService, startMetricsHistory } from "./start-metrics-history.ts";
import { cloudwatchTelemetry, ec2StatusTelemetry, type TestWorkerRef, testWorker } from "./testing/index.ts";

const validateCloudEvent = createCloudEventSchemaValidator();
const t0 = new Date(Date.now() - 3 * 3_600_000);
t0.setUTCMinutes(0, 0, 0);
const minutes = (n: number): Date => new Date(t0.getTime() + n * 60_000);
const mongodbUri = process.env.MONGODB_URI;

interface SharedStoreFixture {
  readonly store: WorkerMetricsStore;
  /** Makes the next `count` database operations fail as if the server were unreachable (stand-in only). */
  readonly failNext?: (count: number) => void;
  close(): Promise<void>;
}

/**
 * The MongoDB path: every replica shares one store and one durable consumer. Runs against the mingo-backed
 * stand-in always, and against a real server when MONGODB_URI is set.
 */
function describeSharedStoreIngest(name: string, openStore: () => Promise<SharedStoreFixture>): void {
  describe(name, () => {
    let server: TestNatsServer;
    let nc: NatsConnection;
    let ops: OpsPublisher;
    let fixture: SharedStoreFixture;
    const topology = createTopology({ namePrefix: uniquePrefix() });
    const replicas: MetricsHistoryService[] = [];
    /** Log messages of the replicas (the consume loop logs every nak). */
    const logged: string[] = [];
    const recordingLogger: Logger = {
      debug: () => undefined,
      info: () => undefined,
      warn: (_fields, message) => logged.push(message ?? ""),
      error: (_fields, message) => logged.push(message ?? ""),
    };
    const startReplica = async (): Promise<MetricsHistoryService> => {
      const replica = await startMetricsHistory({
        nc,
        topology,
        store: fixture.store,
        storeKind: "mongo",
        logger: recordingLogger,
        meter: new MeterProvider().getMeter("test"),
        ops,
        retentionCheckSeconds: 3600,
        batchSize: 20,
      });
      replicas.push(replica);
      await replica.serving;
      return replica;
    };
    const query = async (data: Record<string, unknown>): Promise<HistoryQueryReply> => {
      const request = createEvent(historyQueries.request, { source: "api", data: data as never });
      const msg = await nc.request(subjects.historyQuery, encodeEvent(request), { timeout: 2_000 });
      expect(validateCloudEvent(JSON.parse(new TextDecoder().decode(msg.data)))).toBeUndefined();
      return parseEventData(historyQueries.reply, decodeEvent(msg.data));
    };
    const samplesOf = async (worker: TestWorkerRef): Promise<number> => {
      const reply = await query({
        workerId: worker.workerId,
        from: t0.toISOString(),
        to: minutes(180).toISOString(),
      });
      return reply.ok ? (reply.samples?.length ?? 0) : -1;
    };
    const consumerState = async () => {
      const jsm = await jetstreamManager(nc);
      return jsm.consumers.info(topology.streams.telemetry.name, consumerNames.history);
    };

    beforeAll(async () => {
      fixture = await openStore();
      server = await startNatsServer();
      nc = await connectNats({ url: server.url, name: "metrics-history-test", logger: silentLogger });
      await provisionTopology(nc, topology, { logger: silentLogger });
      ops = createOpsPublisher({ nc, service: "metrics-history", logger: silentLogger });
      await startReplica();
      await startReplica();
    });
    afterAll(async () => {
      for (const replica of replicas) await replica.stop();
      await nc?.drain();
      await server?.stop();
      await fixture?.close();
    });

    it("shares one durable consumer and stores each observation once, acknowledged after the write", async () => {
      const worker = testWorker(11);
      const js = jetstream(nc);
      for (let i = 0; i < 60; i += 1) {
        const { subject, event } = cloudwatchTelemetry(worker, minutes(i), { cpu: i, memory: 50 });
        await publishEvent(js, subject, event);
      }
      const terminated = ec2StatusTelemetry(worker, minutes(61), "terminated");
      await publishEvent(js, terminated.subject, terminated.event);
      await waitFor(async () => (await samplesOf(worker)) === 61, { what: "61 samples in the shared store" });
      const info = await consumerState();
      expect(info.config.durable_name).toBe(consumerNames.history);
      await waitFor(async () => (await consumerState()).num_ack_pending === 0, { what: "all acknowledged" });
      expect((await consumerState()).num_pending).toBe(0);
    });

    it("keeps a batch through a store outage: naks it and stores it once the store is back", async (context) => {
      if (!fixture.failNext) {
        context.skip("a real MongoDB server cannot be made to fail on demand here");
        return;
      }
      const worker = testWorker(12);
      fixture.failNext(2);
      const { subject, event } = cloudwatchTelemetry(worker, minutes(5), { cpu: 42, memory: 42 });
      const redelivered = (): number =>
        logged.filter((line) => line === "message will be redelivered").length;
      const naksBefore = redelivered();
      await publishEvent(jetstream(nc), subject, event);
      await waitFor(() => redelivered() > naksBefore, { what: "the batch nak'ed" });
      await waitFor(async () => (await samplesOf(worker)) === 1, {
        timeoutMs: 15_000,
        what: "the sample written after the outage",
      });
      await waitFor(async () => (await consumerState()).num_ack_pending === 0, {
        what: "the retry acknowledged",
      });
    });

    it("answers queries from either replica with the shared history", async () => {
      const worker = testWorker(11);
      const hourly = await query({
        workerId: worker.workerId,
        from: t0.toISOString(),
        to: minutes(180).toISOString(),
        intervalSeconds: 3600,
        sources: ["cloudwatch"],
        metrics: ["cpu"],
      });
      expect(hourly).toMatchObject({
        ok: true,
        buckets: [
          { source: "cloudwatch", count: 60, metrics: { cpu: { count: 60, min: 0, max: 59, avg: 29.5 } } },
        ],
      });
    });
  });
}

describeSharedStoreIngest("metrics-history with the MongoDB store logic (in-memory stand-in)", async () => {
  const mongo: InMemoryMongo = createInMemoryMongo();
  const store = await createMongoStore({
    client: mongo.client,
    dbName: "history_test",
    retentionDays: 30,
    retry: { maxAttempts: 1 },
  });
  return {
    store,
    failNext: (count) => mongo.failNext(count, new MongoNetworkError("connection refused")),
    close: () => store.close(),
  };
});

describeOrSkip(
  "with a MongoDB server",
  mongodbUri ? undefined : "MONGODB_URI is not set (no MongoDB server to test against)",
  () => {
    describeSharedStoreIngest("metrics-history with MongoDB", async () => {
      const dbName = `history_svc_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
      const client = new MongoClient(mongodbUri as string);
      await client.connect();
      const store = await createMongoStore({ client, dbName, retentionDays: 30 });
      return {
        store,
        async close() {
          await store.close();
          await client.db(dbName).dropDatabase();
          await client.close();
        },
      };
    });
  },
);
