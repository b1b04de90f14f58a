import { createTopology, domainEvents, type WorkerState } from "@cml-telemetry/contracts";
import { connectNats, openWorkersKv, silentLogger } from "@cml-telemetry/messaging";
import { startNatsServer, type TestNatsServer, uniquePrefix, waitFor } from "@cml-telemetry/testing";
import { type JetStreamClient, jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningApi } from "./start-api.ts";
import { publishDomainEvent } from "./testing/publish-domain-event.ts";
import { startTestApi } from "./testing/start-test-api.ts";
import { aWorkerState } from "./testing/worker-state-builder.ts";

let server: TestNatsServer;
let nc: NatsConnection;
let js: JetStreamClient;
let kv: KV;
let replicaA: RunningApi;
let replicaB: RunningApi;
let refreshesStream: string;

async function putWorker(state: WorkerState): Promise<void> {
  await kv.put(state.id, JSON.stringify({ state, outbox: [], recentInputIds: [] }));
  for (const replica of [replicaA, replicaB]) {
    await waitFor(() => replica.readModel.get(state.id)?.version === state.version, {
      what: "worker cached",
    });
  }
}

function refresh(replica: RunningApi, workerId: string, query = "") {
  return fetch(`${replica.url}/api/v1/workers/${workerId}/refresh${query}`, { method: "POST" });
}

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connectNats({ url: server.url, name: "api-refresh-replicas", logger: silentLogger });
  js = jetstream(nc);
  const topology = createTopology({ namePrefix: uniquePrefix() });
  refreshesStream = `KV_${topology.kv.refreshes.bucket}`;
  const settings = { refreshWaitMaxSeconds: 10, refreshMinIntervalSeconds: 60 };
  replicaA = await startTestApi({ nc, topology, settings });
  replicaB = await startTestApi({ nc, topology, settings });
  kv = await openWorkersKv(nc, topology);
});

afterAll(async () => {
  await replicaA?.stop();
  await replicaB?.stop();
  await nc?.drain();
  await server?.stop();
});

describe("refresh across two API replicas", () => {
  it("joins the refresh in flight on the other replica, then keeps the minimum interval", async () => {
    const worker = aWorkerState({ httpsEndpoint: null });
    await putWorker(worker);
    const started = await refresh(replicaA, worker.id);
    expect(started.status).toBe(202);
    const { request_id: requestId } = (await started.json()) as { request_id: string };

    const joined = await refresh(replicaB, worker.id);
    expect(joined.status).toBe(202);
    expect(((await joined.json()) as { request_id: string }).request_id).toBe(requestId);

    const waiting = refresh(replicaB, worker.id, "?wait=8");
    // Replica B follows the refresh through a watch of its ledger entry: a consumer on the bucket's stream.
    const jsm = await jetstreamManager(nc);
    await waitFor(async () => (await jsm.streams.info(refreshesStream)).state.consumer_count > 0, {
      what: "replica B following the refresh of replica A",
    });
    const base = { workerId: worker.id, observedAt: "2026-11-25T12:00:00.000Z" };
    await publishDomainEvent(
      js,
      "ec2_metrics_updated",
      { ...domainEvents.ec2_metrics_updated.example, ...base, version: 2 },
      requestId,
    );
    await publishDomainEvent(
      js,
      "cloudwatch_metrics_updated",
      { ...domainEvents.cloudwatch_metrics_updated.example, ...base, version: 3 },
      requestId,
    );
    await putWorker({ ...worker, version: 3, instanceType: "c5.metal" });
    const answered = await waiting;
    expect(answered.status).toBe(200);
    expect(((await answered.json()) as { instance_type: string }).instance_type).toBe("c5.metal");

    const tooSoon = await refresh(replicaA, worker.id);
    expect(tooSoon.status).toBe(429);
    const retryAfter = Number(tooSoon.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(((await tooSoon.json()) as { type: string }).type).toContain("rate-limited");
  });
});
