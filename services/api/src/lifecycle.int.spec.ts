import {
  commands,
  createTopology,
  decodeEvent,
  LIFECYCLE_ACTIONS,
  lifecycleMsgId,
  parseEventData,
  subjects,
  type Topology,
  type WorkerState,
} from "@cml-telemetry/contracts";
import { priceKey } from "@cml-telemetry/lifecycle";
import { connectNats, openWorkersKv, silentLogger } from "@cml-telemetry/messaging";
import { startNatsServer, type TestNatsServer, uniquePrefix, waitFor } from "@cml-telemetry/testing";
import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { type KV, Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningApi } from "./start-api.ts";
import {
  afterLifecycleOutcome,
  type LifecycleReport,
  lifecycleEventData,
} from "./testing/lifecycle-fixture.ts";
import { publishDomainEvent } from "./testing/publish-domain-event.ts";
import { startTestApi } from "./testing/start-test-api.ts";
import { aWorkerState } from "./testing/worker-state-builder.ts";

const TOKEN = "lifecycle-operator-token";
const auth = { authorization: `Bearer ${TOKEN}` };

let server: TestNatsServer;
let nc: NatsConnection;
let js: JetStreamClient;
let jsm: JetStreamManager;
let workersKv: KV;
let pricesKv: KV;
let topology: Topology;
let running: RunningApi;

async function putWorker(state: WorkerState): Promise<void> {
  await workersKv.put(state.id, JSON.stringify({ state, outbox: [], recentInputIds: [] }));
}

async function givenWorker(overrides: Partial<WorkerState> = {}): Promise<WorkerState> {
  const worker = aWorkerState(overrides);
  await putWorker(worker);
  await waitFor(() => running.readModel.get(worker.id), { what: "worker cached" });
  return worker;
}

function post(path: string, requestId: string): Promise<Response> {
  return fetch(`${running.url}${path}`, { method: "POST", headers: { ...auth, "x-request-id": requestId } });
}

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connectNats({ url: server.url, name: "api-lifecycle-int-test", logger: silentLogger });
  js = jetstream(nc);
  jsm = await jetstreamManager(nc);
  topology = createTopology({ namePrefix: uniquePrefix() });
  running = await startTestApi({
    nc,
    topology,
    tokens: [{ name: "int-ops", role: "operator", token: TOKEN }],
    settings: { lifecycleWaitMaxSeconds: 10 },
  });
  workersKv = await openWorkersKv(nc, topology);
  pricesKv = await new Kvm(js).open(topology.kv.prices.bucket);
});

afterAll(async () => {
  await running?.stop();
  await nc?.drain();
  await server?.stop();
});

describe("lifecycle commands on a real nats-server", () => {
  it.each(LIFECYCLE_ACTIONS)(
    "%s is stored on CML_COMMANDS under its subject, Nats-Msg-Id = lifecycle:<workerId>:<action>:<requestId> = the CloudEvent id",
    async (action) => {
      const worker = await givenWorker({ status: action === "start" ? "STOPPED" : "RUNNING" });
      const requestId = `int-${action}-1`;
      const query = action === "terminate" ? `?confirm=${worker.instanceId}` : "";
      const response = await post(`/api/v1/workers/${worker.id}/${action}${query}`, requestId);
      expect(response.status).toBe(202);
      expect(await response.json()).toEqual({ request_id: requestId });

      const subject = subjects.lifecycle(action, worker.id);
      const stored = await jsm.streams.getMessage(topology.streams.commands.name, { last_by_subj: subject });
      expect(stored).not.toBeNull();
      const msgId = lifecycleMsgId(worker.id, action, requestId);
      expect(stored?.header.get("Nats-Msg-Id")).toBe(msgId);
      const event = decodeEvent(stored?.data as Uint8Array);
      expect(event.id).toBe(msgId);
      expect(event.type).toBe(commands.lifecycle.type);
      expect(event.subject).toBe(worker.id);
      expect((event as Record<string, unknown>).correlationid).toBe(requestId);
      expect(parseEventData(commands.lifecycle, event)).toEqual({
        workerId: worker.id,
        region: worker.region,
        instanceId: worker.instanceId,
        action,
        requestedBy: "int-ops",
        reason: "operator",
        dryRun: false,
        requestId,
      });

      // The same request again (same X-Request-Id) is the same message: JetStream keeps one.
      expect((await post(`/api/v1/workers/${worker.id}/${action}${query}`, requestId)).status).toBe(202);
      const info = await jsm.streams.info(topology.streams.commands.name, { subjects_filter: subject });
      expect(info.state.subjects?.[subject]).toBe(1);
    },
  );

  it("stop?wait answers 200 once the aggregate's stop_requested of this request arrives and KV shows STOPPING", async () => {
    const worker = await givenWorker();
    const requestId = "int-stop-wait";
    const executed = (async () => {
      // Plays worker-lifecycle and the aggregate: consumes the command, records the outcome, emits the event.
      const sub = nc.subscribe(subjects.lifecycle("stop", worker.id));
      for await (const message of sub) {
        sub.unsubscribe();
        const command = parseEventData(commands.lifecycle, decodeEvent(message.data));
        const report: LifecycleReport = {
          action: "stop",
          requestId: command.requestId,
          requestedBy: command.requestedBy,
          outcome: "accepted",
          previousState: "running",
          currentState: "stopping",
          at: new Date().toISOString(),
        };
        const answered = afterLifecycleOutcome(worker, report, "STOPPING");
        await publishDomainEvent(
          js,
          "stop_requested",
          lifecycleEventData(worker.id, answered.version, report),
          requestId,
        );
        await putWorker(answered);
      }
    })();
    const response = await post(`/api/v1/workers/${worker.id}/stop?wait=8`, requestId);
    await executed;
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      request_id: requestId,
      outcome: "accepted",
      worker: {
        id: worker.id,
        status: "STOPPING",
        stopped_by: "int-ops",
        last_lifecycle_action: { action: "stop", request_id: requestId, outcome: "accepted" },
      },
    });
  });

  it("prices the worker from KV cml_prices as they are written and removed", async () => {
    const worker = await givenWorker({ region: "eu-central-1", instanceType: "m5zn.metal" });
    const costOf = async () =>
      (
        (await (await fetch(`${running.url}/api/v1/workers/${worker.id}`, { headers: auth })).json()) as {
          cost: { hourly_usd: number | null };
        }
      ).cost;
    expect((await costOf()).hourly_usd).toBeNull();
    const key = priceKey("eu-central-1", "m5zn.metal");
    await pricesKv.put(
      key,
      JSON.stringify({ hourlyUsd: 4.4548, source: "pricing-api", fetchedAt: new Date().toISOString() }),
    );
    await waitFor(async () => (await costOf()).hourly_usd === 4.4548, { what: "price shown" });
    await pricesKv.delete(key);
    await waitFor(async () => (await costOf()).hourly_usd === null, { what: "price forgotten" });
  });
});
