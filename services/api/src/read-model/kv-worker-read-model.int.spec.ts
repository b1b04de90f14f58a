import { createTopology, type WorkerState } from "@cml-telemetry/contracts";
import { connectNats, openWorkersKv, provisionTopology, silentLogger } from "@cml-telemetry/messaging";
import { createLogger } from "@cml-telemetry/observability";
import { startNatsServer, type TestNatsServer, uniquePrefix } from "@cml-telemetry/testing";
import type { KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeWorkerReadModelContract } from "../testing/worker-read-model-contract.ts";
import { aWorkerState } from "../testing/worker-state-builder.ts";
import { type KvWorkerReadModel, startKvWorkerReadModel } from "./kv-worker-read-model.ts";

const logger = createLogger({ service: "api", level: "silent" });
let server: TestNatsServer;
let nc: NatsConnection;
let kv: KV;
let model: KvWorkerReadModel;
const preloaded = [aWorkerState(), aWorkerState()];

function record(state: WorkerState): string {
  return JSON.stringify({ state, outbox: [], recentInputIds: [] });
}

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connectNats({ url: server.url, name: "kv-read-model", logger: silentLogger });
  const topology = createTopology({ namePrefix: uniquePrefix() });
  await provisionTopology(nc, topology, { logger: silentLogger });
  kv = await openWorkersKv(nc, topology);
  for (const state of preloaded) await kv.put(state.id, record(state));
  await kv.put("not-a-worker", '{"hello":1}');
  await kv.put("not-json", "{{{");
  model = await startKvWorkerReadModel(kv, logger);
  await model.synced;
});

afterAll(async () => {
  await model?.stop();
  await nc?.drain();
  await server?.stop();
});

describe("KV worker read model", () => {
  it("is synced only with the initial values loaded, skipping entries that are not worker records", () => {
    expect(model.isSynced()).toBe(true);
    for (const state of preloaded) expect(model.get(state.id)?.instanceId).toBe(state.instanceId);
    expect(model.get("not-a-worker")).toBeUndefined();
    expect(model.size()).toBe(preloaded.length);
  });
});

describeWorkerReadModelContract("KV watch (nats-server)", async () => ({
  model,
  put: async (state) => {
    await kv.put(state.id, record(state));
  },
  remove: async (id) => {
    await kv.delete(id);
  },
}));
