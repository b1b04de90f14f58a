import { type AckedPublisher, createAckedPublisher } from "@cml-telemetry/messaging";
import { startNatsServer, type TestNatsServer, uniquePrefix } from "@cml-telemetry/testing";
import { type KV, Kvm } from "@nats-io/kv";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { discoveredRecord } from "../testing/discovered-record.ts";
import { WORKER_ID } from "../testing/worker-fixtures.ts";
import { createCachedWorkerStore } from "./cached-worker-store.ts";
import { CasConflictError, createWorkerStore, type WorkerStore } from "./worker-store.ts";

let server: TestNatsServer;
let nc: NatsConnection;
let publisher: AckedPublisher;

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connect({ servers: server.url, noAsyncTraces: true });
  publisher = createAckedPublisher(nc);
});
afterAll(async () => {
  publisher?.close();
  await nc?.drain();
  await server?.stop();
});

async function stores(): Promise<{
  kvStore: WorkerStore;
  cached: WorkerStore;
  kv: KV;
  kvReads: () => number;
}> {
  const bucket = `${uniquePrefix()}workers`;
  const kv = await new Kvm(nc).create(bucket, { history: 1 });
  const kvStore = createWorkerStore(kv, { writes: { publisher, bucket } });
  let reads = 0;
  const counted: WorkerStore = {
    ...kvStore,
    load: (workerId, options) => {
      reads += 1;
      return kvStore.load(workerId, options);
    },
  };
  return { kvStore, cached: createCachedWorkerStore(counted), kv, kvReads: () => reads };
}

describe.each(["kv", "cached"] as const)("worker store (%s, real KV)", (kind) => {
  it("creates, updates with compare-and-set and refuses a stale revision", async () => {
    const store = (await stores())[kind === "kv" ? "kvStore" : "cached"];
    expect(await store.load(WORKER_ID)).toBeUndefined();
    const record = discoveredRecord();
    const first = await store.save(WORKER_ID, record, undefined);
    await expect(store.save(WORKER_ID, record, undefined)).rejects.toBeInstanceOf(CasConflictError);
    const second = await store.save(WORKER_ID, { ...record, recentInputIds: ["a", "b"] }, first);
    expect(second).toBeGreaterThan(first);
    await expect(store.save(WORKER_ID, record, first)).rejects.toBeInstanceOf(CasConflictError);
    const loaded = await store.load(WORKER_ID, { fresh: true });
    expect(loaded).toMatchObject({ revision: second, record: { recentInputIds: ["a", "b"] } });
    expect(await store.workerIds()).toEqual([WORKER_ID]);
  });
});

describe.each(["kv", "cached"] as const)("worker store (%s) over a deleted key", (kind) => {
  it("creates a record where the last entry is a delete marker", async () => {
    const all = await stores();
    const store = kind === "kv" ? all.kvStore : all.cached;
    const first = await store.save(WORKER_ID, discoveredRecord(), undefined);
    await all.kv.delete(WORKER_ID);
    expect(await store.load(WORKER_ID, { fresh: true })).toBeUndefined();
    const created = await store.save(WORKER_ID, discoveredRecord(), undefined);
    expect(created).toBeGreaterThan(first);
    expect(await store.load(WORKER_ID, { fresh: true })).toMatchObject({ revision: created });
  });
});

describe("cached worker store", () => {
  it("after listing the workers, takes one it never saw to be new without reading KV", async () => {
    const { kvStore, cached, kvReads } = await stores();
    await kvStore.save("listed-worker", discoveredRecord(), undefined);
    expect(await cached.workerIds()).toEqual(["listed-worker"]);
    expect(await cached.load(WORKER_ID)).toBeUndefined();
    expect(kvReads()).toBe(0);
    expect(await cached.load("listed-worker")).toBeDefined();
    expect(kvReads()).toBe(1);
  });

  it("a guess that a worker is new fails the write when another writer created it since", async () => {
    const { kvStore, cached } = await stores();
    await cached.workerIds();
    const theirs = await kvStore.save(
      WORKER_ID,
      { ...discoveredRecord(), recentInputIds: ["theirs"] },
      undefined,
    );
    expect(await cached.load(WORKER_ID)).toBeUndefined();
    await expect(cached.save(WORKER_ID, discoveredRecord(), undefined)).rejects.toBeInstanceOf(
      CasConflictError,
    );
    const fresh = await cached.load(WORKER_ID, { fresh: true });
    expect(fresh).toMatchObject({ revision: theirs, record: { recentInputIds: ["theirs"] } });
    // Known from now on: the next plain load is served without a guess.
    expect((await cached.load(WORKER_ID))?.revision).toBe(theirs);
  });

  it("serves its own writes without KV reads, records no caller can change in place", async () => {
    const { kvStore, cached } = await stores();
    const revision = await cached.save(WORKER_ID, discoveredRecord(), undefined);
    const first = await cached.load(WORKER_ID);
    expect(first).toMatchObject({ revision, cached: true, outboxPublished: false });
    expect(() => first?.record.recentInputIds.push("mutated")).toThrow(TypeError);
    expect(() => {
      if (first) (first.record.state as { status: string }).status = "STOPPED";
    }).toThrow(TypeError);
    expect((await cached.load(WORKER_ID))?.record).toMatchObject({
      recentInputIds: ["discovery-1"],
      state: { status: "RUNNING" },
    });
    // Another writer moves the key on: the cached copy is stale until a write fails or a fresh load happens.
    await kvStore.save(WORKER_ID, { ...discoveredRecord(), recentInputIds: ["other"] }, revision);
    expect((await cached.load(WORKER_ID))?.revision).toBe(revision);
    await expect(cached.save(WORKER_ID, discoveredRecord(), revision)).rejects.toBeInstanceOf(
      CasConflictError,
    );
    expect((await cached.load(WORKER_ID))?.record.recentInputIds).toEqual(["other"]);
  });

  it("remembers a published outbox for that revision only", async () => {
    const { kvStore, cached } = await stores();
    const revision = await cached.save(WORKER_ID, discoveredRecord(), undefined);
    cached.markOutboxPublished(WORKER_ID, revision + 1);
    expect((await cached.load(WORKER_ID))?.outboxPublished).toBe(false);
    cached.markOutboxPublished(WORKER_ID, revision);
    const hit = await cached.load(WORKER_ID);
    expect(hit).toMatchObject({ outboxPublished: true, record: { outbox: [] } });
    const fresh = await cached.load(WORKER_ID, { fresh: true });
    expect(fresh?.outboxPublished).toBe(true);
    expect(fresh?.record.outbox.length).toBeGreaterThan(0);
    const moved = await kvStore.save(WORKER_ID, discoveredRecord(), revision);
    const reread = await cached.load(WORKER_ID, { fresh: true });
    expect(reread).toMatchObject({ revision: moved });
    expect(reread?.outboxPublished).toBeFalsy();
  });
});
