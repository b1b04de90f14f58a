import { randomUUID } from "node:crypto";
import { describeOrSkip } from "@cml-telemetry/testing";
import { MongoClient } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StoreUnavailableError } from "../errors.ts";
import { buildSample } from "../testing/sample-builders.ts";
import { describeWorkerMetricsStoreContract } from "../testing/store-contract.ts";
import { createMongoStore } from "./mongo-store.ts";
import { toMetricDocument } from "./sample-document.ts";
import { METRICS_COLLECTION } from "./time-series-collection.ts";

const mongodbUri = process.env.MONGODB_URI;

describeOrSkip(
  "MongoDB store",
  mongodbUri ? undefined : "MONGODB_URI is not set (no MongoDB server to test against)",
  () => {
    let client: MongoClient;
    const databases: string[] = [];
    const freshDatabase = (): string => {
      const name = `history_test_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
      databases.push(name);
      return name;
    };

    beforeAll(async () => {
      client = new MongoClient(mongodbUri as string);
      await client.connect();
    });

    afterAll(async () => {
      for (const name of databases) await client.db(name).dropDatabase();
      await client.close();
    });

    describeWorkerMetricsStoreContract({
      name: "mongodb",
      createStore: ({ retentionDays }) =>
        createMongoStore({ client, dbName: freshDatabase(), retentionDays }),
      removesExpiredSamplesOnEnforce: false,
      measuresStorage: true,
    });

    it("creates the time-series collection with TTL and worker/time index, and corrects a changed TTL", async () => {
      const dbName = freshDatabase();
      const first = await createMongoStore({ client, dbName, retentionDays: 30 });
      const second = await createMongoStore({ client, dbName, retentionDays: 7 });
      const db = client.db(dbName);

      const [info] = await db.listCollections({ name: METRICS_COLLECTION }).toArray();
      const indexes = await db.collection(METRICS_COLLECTION).indexes();

      expect(info).toMatchObject({
        type: "timeseries",
        options: {
          timeseries: { timeField: "timestamp", metaField: "meta", granularity: "minutes" },
          expireAfterSeconds: 7 * 86_400,
        },
      });
      expect(indexes.map((index) => index.key)).toContainEqual({ "meta.workerId": 1, timestamp: 1 });
      await db.command({ collMod: METRICS_COLLECTION, expireAfterSeconds: 60 });
      expect(await second.enforceRetention(new Date())).toEqual({ removed: 0 });
      const [corrected] = await db.listCollections({ name: METRICS_COLLECTION }).toArray();
      expect(corrected).toMatchObject({ options: { expireAfterSeconds: 7 * 86_400 } });
      await Promise.all([first.close(), second.close()]);
    });

    it("ignores duplicates that reached the collection anyway (concurrent writers, retried partial inserts)", async () => {
      const dbName = freshDatabase();
      const store = await createMongoStore({ client, dbName, retentionDays: 3650 });
      const samples = [
        buildSample("2026-11-02T10:00:00Z", "cloudwatch", { cpu: 10 }),
        buildSample("2026-11-02T10:05:00Z", "cloudwatch", { cpu: 40 }),
      ];
      const documents = [...samples, samples[0], samples[0], samples[1]].map((sample) =>
        toMetricDocument(sample as (typeof samples)[number]),
      );
      await client.db(dbName).collection(METRICS_COLLECTION).insertMany(documents);

      const stored = await store.getSamples(
        "worker-a",
        new Date("2026-11-02T00:00:00Z"),
        new Date("2026-11-03T00:00:00Z"),
      );
      const buckets = await store.getAggregatedStats(
        "worker-a",
        new Date("2026-11-02T00:00:00Z"),
        new Date("2026-11-03T00:00:00Z"),
        3600,
      );

      expect(stored.map((sample) => sample.cpu)).toEqual([10, 40]);
      expect(buckets).toEqual([
        {
          start: new Date("2026-11-02T10:00:00Z"),
          source: "cloudwatch",
          count: 2,
          metrics: { cpu: { count: 2, avg: 25, min: 10, max: 40 } },
        },
      ]);
      await store.close();
    });
  },
);

describe("MongoDB store without a reachable server", () => {
  it("fails with StoreUnavailableError after retrying", async () => {
    const start = createMongoStore({
      uri: "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=150&connectTimeoutMS=150",
      dbName: "unreachable",
      retentionDays: 30,
      retry: { maxAttempts: 2, initialDelayMs: 10 },
    });

    await expect(start).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(start).rejects.toThrow(/after 2 attempts/);
  });
});
