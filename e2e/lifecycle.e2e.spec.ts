import { createHash, randomUUID } from "node:crypto";
import {
  createTopology,
  type DomainEvent,
  definitionOfType,
  domainEventNameOfType,
  type LifecycleCommand,
  parseEventData,
  parseWorkerEventSubject,
  telemetry,
  type WorkerState,
  workerIdOf,
} from "@cml-telemetry/contracts";
import { SERVICE_NAMES, type SystemServiceName } from "@cml-telemetry/launcher";
import { type RunningSystem, startSystem, waitFor } from "@cml-telemetry/testing";
import { type KV, Kvm } from "@nats-io/kv";
import { connect, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, readStream, sim } from "./helpers.ts";

/**
 * DESIGN §11 end to end: every service as processes, two replicas each, on the fleet simulator. The idle policy runs
 * in dry-run, then in `on` inside a maintenance window, then in `on`; then an operator starts, stops and terminates a
 * worker through the api, with an operator token (`requestedBy` = the token's name).
 */

const CML_INTERVAL = 10;
const LIFECYCLE = "worker-lifecycle";
const TOKEN_NAME = "alice";
const TOKEN = "alice-operator-e2e-token";
const authorization = { authorization: `Bearer ${TOKEN}` };

let system: RunningSystem;
let nc: NatsConnection;
let workersKv: KV;
let feed: Subscription;
/** Lifecycle domain events as published (the assertions on "once" read the stream, which drops duplicates). */
const seen: Array<{ workerId: string; event: DomainEvent }> = [];
let lifecycleReplicas: string[] = [];

interface Worker {
  readonly name: string;
  readonly region: string;
  readonly instanceId: string;
  readonly workerId: string;
}

/** The workers of the scenarios (the simulator's seeded 8-worker fleet; all RUNNING with CML available). */
const W: Record<"idle" | "exempt" | "stale" | "nodes" | "snoozed" | "window", Worker> = {} as never;
const NAMES = {
  idle: "cml-worker-01",
  exempt: "cml-worker-04",
  stale: "cml-worker-05",
  nodes: "cml-worker-06",
  snoozed: "cml-worker-07",
  window: "cml-worker-08",
} as const;

async function stateOf(worker: Worker): Promise<WorkerState> {
  const entry = await workersKv.get(worker.workerId);
  if (entry?.operation !== "PUT") throw new Error(`no record of ${worker.name}`);
  return (entry.json() as { state: WorkerState }).state;
}

async function untilState(
  worker: Worker,
  what: string,
  check: (state: WorkerState) => boolean,
  timeoutMs = 60_000,
): Promise<WorkerState> {
  return await waitFor(
    async () => {
      const state = await stateOf(worker);
      return check(state) ? state : undefined;
    },
    { timeoutMs, intervalMs: 500, what: `${worker.name}: ${what}` },
  );
}

/** Gives a worker's CML controller one lab in `state`, with `runningNodes` nodes running. */
async function setLabs(worker: Worker, state: "STARTED" | "STOPPED", runningNodes: number): Promise<void> {
  await sim(system.simUrl, `/instances/${worker.name}/cml`, "PATCH", {
    labs: [{ id: randomUUID(), title: "e2e class", state, nodeCount: 3 }],
    runningNodes,
  });
}

function lifecycleEvents(worker: Worker, name: DomainEvent["name"]) {
  return seen.filter((entry) => entry.workerId === worker.workerId && entry.event.name === name);
}

/** Lifecycle and skip events of a worker in the stream (JetStream dedupes by id: each decision once). */
async function streamEvents(worker: Worker): Promise<DomainEvent[]> {
  const events = await readStream(nc, createTopology().streams.workerEvents.name);
  return events
    .filter((message) => parseWorkerEventSubject(message.subject)?.workerId === worker.workerId)
    .map((message) => {
      const name = domainEventNameOfType(message.event.type);
      if (!name) throw new Error(`not a domain event: ${message.event.type}`);
      return { name, data: message.event.data } as DomainEvent;
    });
}

/** Calls of an EC2 action that could change something (dry runs left out), as the simulator counted them. */
async function stateChangingCalls(action: string): Promise<number> {
  const calls = await sim<{ aws: { byAction: Record<string, number>; dryRuns: Record<string, number> } }>(
    system.simUrl,
    "/calls",
  );
  const key = `ec2:${action}`;
  return (calls.aws.byAction[key] ?? 0) - (calls.aws.dryRuns[key] ?? 0);
}

/** Runs the two worker-lifecycle replicas with this idle policy, replacing the ones running. */
async function runLifecycle(env: NodeJS.ProcessEnv): Promise<void> {
  for (const name of lifecycleReplicas) await system.kill(name, "SIGTERM");
  await system.restart(LIFECYCLE, env);
  const second = await system.startReplica(LIFECYCLE, env);
  lifecycleReplicas = [LIFECYCLE, second.name];
}

/** An operator's request through the api: 202 with the request id (terminate confirmed with the instance id). */
async function operator(worker: Worker, action: LifecycleCommand["action"]): Promise<string> {
  const confirm = action === "terminate" ? `?confirm=${worker.instanceId}` : "";
  const { body } = await api<{ request_id: string }>(
    system.apiUrl,
    `/api/v1/workers/${worker.workerId}/${action}${confirm}`,
    { method: "POST", headers: authorization, expect: [202] },
  );
  return body.request_id;
}

async function outcomeOf(worker: Worker, requestId: string) {
  const found = await waitFor(
    () =>
      seen.find(
        (entry) =>
          entry.workerId === worker.workerId &&
          entry.event.name.endsWith("_requested") &&
          (entry.event.data as { requestId: string }).requestId === requestId,
      ),
    { timeoutMs: 60_000, intervalMs: 250, what: `the outcome of ${requestId}` },
  );
  return found.event;
}

const advanceSimClock = (seconds: number) =>
  sim(system.simUrl, "/clock", "POST", { advanceSeconds: seconds });

beforeAll(async () => {
  system = await startSystem({
    env: {
      COLLECT_INTERVAL_EC2_SECONDS: "10",
      COLLECT_INTERVAL_CML_SECONDS: String(CML_INTERVAL),
      COLLECT_INTERVAL_CLOUDWATCH_SECONDS: "60",
      DISCOVERY_INTERVAL_SECONDS: "10",
      IDLE_THRESHOLD_MINUTES: "1",
      IDLE_CHECK_INTERVAL_SECONDS: "5",
      API_HOST: "127.0.0.1",
      API_TOKENS: `${TOKEN_NAME}:operator:${createHash("sha256").update(TOKEN).digest("hex")}`,
    },
    simEnv: { FLEET_SIM_WORKERS: "8", FLEET_SIM_CHURN_SECONDS: "0", FLEET_SIM_BOOT_SECONDS: "5" },
    // worker-lifecycle joins later, once the scenarios are set up.
    services: SERVICE_NAMES.filter((service) => service !== LIFECYCLE),
    readyTimeoutMs: 120_000,
  });
  // Two replicas of every service.
  for (const service of SERVICE_NAMES.filter((name): name is SystemServiceName => name !== LIFECYCLE))
    await system.startReplica(service, service === "api" ? { API_PORT: "0" } : {});
  nc = await connect({ servers: system.natsUrl });
  workersKv = await new Kvm(nc).open(createTopology().kv.workers.bucket);
  feed = nc.subscribe("cml.worker.>", {
    callback: (_error, msg) => {
      const parsed = parseWorkerEventSubject(msg.subject);
      if (!parsed || !/_requested$|^idle_stop_skipped$|^terminated$/.test(parsed.eventName)) return;
      const event = JSON.parse(new TextDecoder().decode(msg.data)) as { type: string; data: unknown };
      const name = domainEventNameOfType(event.type);
      if (name) seen.push({ workerId: parsed.workerId, event: { name, data: event.data } as DomainEvent });
    },
  });
  const fleet = await sim<{
    instances: Array<{ instanceId: string; region: string; tags: Record<string, string> }>;
  }>(system.simUrl, "/fleet");
  for (const [role, name] of Object.entries(NAMES)) {
    const instance = fleet.instances.find((candidate) => candidate.tags.Name === name);
    if (!instance) throw new Error(`the simulated fleet has no ${name}`);
    W[role as keyof typeof NAMES] = {
      name,
      region: instance.region,
      instanceId: instance.instanceId,
      workerId: workerIdOf(instance.region, instance.instanceId),
    };
  }
}, 300_000);

afterAll(async () => {
  feed?.unsubscribe();
  await nc?.close();
  await system?.stop();
});

describe("lifecycle and the idle auto-stop policy, end to end", () => {
  it("sets the scene: six idle workers, each with one reason to stay up or none", async () => {
    const workers = Object.values(W);
    for (const worker of workers)
      await untilState(
        worker,
        "RUNNING and AVAILABLE",
        (s) => s.status === "RUNNING" && s.serviceStatus === "AVAILABLE",
      );
    // A class runs on each, then ends: the worker has had activity and runs nothing now.
    for (const worker of workers) await setLabs(worker, "STARTED", 3);
    for (const worker of workers) await untilState(worker, "labs running", (s) => s.activeLabsCount === 1);
    // The class ends everywhere; on one worker nodes keep running outside any started lab.
    for (const worker of workers) await setLabs(worker, "STOPPED", worker === W.nodes ? 3 : 0);
    for (const worker of workers)
      await untilState(
        worker,
        "no labs running",
        (s) => s.activeLabsCount === 0 && s.lastActivityAt !== null,
      );
    await untilState(W.nodes, "nodes running outside a lab", (s) => s.cmlMetrics.runningNodes === 3);
    await sim(system.simUrl, `/instances/${W.exempt.name}`, "PATCH", { tags: { "cml:idle-stop": "off" } });
    await untilState(W.exempt, "the exemption tag", (s) => s.tags["cml:idle-stop"] === "off");
    await sim(system.simUrl, `/instances/${W.stale.name}/cml`, "PATCH", { mode: "down" });
    await untilState(W.stale, "CML unreachable", (s) => s.serviceStatus === "UNAVAILABLE");

    // worker-lifecycle with the policy off: an operator starts the running snoozed worker (its snooze begins).
    await runLifecycle({ IDLE_STOP_MODE: "off" });
    const start = await outcomeOf(W.snoozed, await operator(W.snoozed, "start"));
    expect(start).toMatchObject({
      name: "start_requested",
      data: { outcome: "already", requestedBy: TOKEN_NAME },
    });
    await untilState(W.snoozed, "the start recorded", (s) => s.lastLifecycleAction?.action === "start");
    // Already running: no state-changing call was made.
    expect(await stateChangingCalls("StartInstances")).toBe(0);
    // Idle: a minute since the class ended.
    for (const worker of workers) {
      const { lastActivityAt } = await stateOf(worker);
      const idleAt = Date.parse(lastActivityAt ?? "") + 61_000;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, idleAt - Date.now())));
    }
  }, 300_000);

  it("dry-run: the idle worker gets stop_requested with dryRun true and keeps running; the others are skipped with their reason", async () => {
    await runLifecycle({ IDLE_STOP_MODE: "dry-run" });
    const stop = await waitFor(() => lifecycleEvents(W.idle, "stop_requested")[0], {
      timeoutMs: 60_000,
      intervalMs: 250,
      what: "the dry-run stop",
    });
    expect(stop.event.data).toMatchObject({
      requestedBy: "idle-policy",
      reason: "idle-policy",
      dryRun: true,
      outcome: "dry-run",
      currentState: "running",
    });
    const reasons: Array<[Worker, string]> = [
      [W.exempt, "exempt"],
      [W.stale, "cml-unknown"],
      [W.nodes, "labs-running"],
      [W.snoozed, "snoozed"],
    ];
    for (const [worker, reason] of reasons) {
      const skipped = await waitFor(() => lifecycleEvents(worker, "idle_stop_skipped")[0], {
        timeoutMs: 60_000,
        intervalMs: 250,
        what: `${worker.name} skipped`,
      });
      expect(skipped.event.data, worker.name).toMatchObject({ reason, mode: "dry-run" });
    }
    expect(await stateChangingCalls("StopInstances")).toBe(0);
    expect((await stateOf(W.idle)).status).toBe("RUNNING");
    const instance = await sim<{ state: string }>(system.simUrl, `/instances/${W.idle.name}`);
    expect(instance.state).toBe("running");
  }, 240_000);

  it("on, inside a maintenance window: nothing is stopped, the idle worker is skipped for the window", async () => {
    await runLifecycle({ IDLE_STOP_MODE: "on", IDLE_STOP_WINDOWS: "daily 00:00-24:00 UTC" });
    const skipped = await waitFor(() => lifecycleEvents(W.window, "idle_stop_skipped")[0], {
      timeoutMs: 60_000,
      intervalMs: 250,
      what: "the maintenance-window skip",
    });
    expect(skipped.event.data).toMatchObject({ reason: "maintenance-window", mode: "on" });
    // A few more passes, still nothing stopped.
    await new Promise((resolve) => setTimeout(resolve, 12_000));
    expect(await stateChangingCalls("StopInstances")).toBe(0);
    // The window's worker gets busy again before the window closes, so nothing stops it afterwards either.
    await setLabs(W.window, "STARTED", 3);
    await untilState(W.window, "busy again", (s) => s.activeLabsCount === 1);
  }, 240_000);

  it("on: the idle worker gets exactly one StopInstances call and reaches STOPPED; the others stay up", async () => {
    await runLifecycle({ IDLE_STOP_MODE: "on" });
    const stop = await waitFor(
      () =>
        lifecycleEvents(W.idle, "stop_requested").find(
          (entry) => !(entry.event.data as { dryRun: boolean }).dryRun,
        ),
      { timeoutMs: 60_000, intervalMs: 250, what: "the real stop" },
    );
    expect(stop.event.data).toMatchObject({
      requestedBy: "idle-policy",
      reason: "idle-policy",
      dryRun: false,
      outcome: "accepted",
      previousState: "running",
      currentState: "stopping",
    });
    await advanceSimClock(45);
    const stopped = await untilState(W.idle, "STOPPED", (s) => s.status === "STOPPED");
    expect(stopped).toMatchObject({ stoppedBy: "idle-policy" });
    expect(stopped.idleStoppedAt).not.toBeNull();
    // A few more passes of both replicas: still one call.
    await new Promise((resolve) => setTimeout(resolve, 12_000));
    expect(await stateChangingCalls("StopInstances")).toBe(1);
    for (const worker of [W.exempt, W.stale, W.nodes, W.snoozed, W.window]) {
      const instance = await sim<{ state: string }>(system.simUrl, `/instances/${worker.name}`);
      expect(instance.state, worker.name).toBe("running");
      const events = await streamEvents(worker);
      expect(
        events.filter(
          (event) => event.name === "stop_requested" && !(event.data as { dryRun: boolean }).dryRun,
        ),
        worker.name,
      ).toEqual([]);
      // One skip per idle period, whatever the passes and modes since.
      expect(
        events.filter((event) => event.name === "idle_stop_skipped"),
        worker.name,
      ).toHaveLength(1);
    }
  }, 240_000);

  it("an operator starts, stops and terminates a worker; every request appears with the token's name", async () => {
    const worker = W.idle;
    // Stopping a stopped worker again: `already`, no state-changing call.
    const again = await outcomeOf(worker, await operator(worker, "stop"));
    expect(again.data).toMatchObject({
      outcome: "already",
      currentState: "stopped",
      requestedBy: TOKEN_NAME,
    });
    expect(await stateChangingCalls("StopInstances")).toBe(1);

    // Through the api with ?wait: answered once EC2 reports the start and the worker shows it.
    const waited = await api<{ request_id: string; outcome: string; worker: { status: string } }>(
      system.apiUrl,
      `/api/v1/workers/${worker.workerId}/start?wait=30`,
      { method: "POST", headers: authorization },
    );
    expect(waited.body).toMatchObject({ outcome: "accepted" });
    expect(["PENDING", "RUNNING"]).toContain(waited.body.worker.status);
    const start = await outcomeOf(worker, waited.body.request_id);
    expect(start).toMatchObject({
      name: "start_requested",
      data: { outcome: "accepted", currentState: "pending", requestedBy: TOKEN_NAME },
    });
    await advanceSimClock(65);
    const started = await untilState(worker, "RUNNING", (s) => s.status === "RUNNING");
    expect(started.stoppedBy).toBeNull();
    expect(started.idleStoppedAt).toBeNull();
    expect(started.usage?.idleStopSavedSeconds).toBeGreaterThan(0);

    const stop = await outcomeOf(worker, await operator(worker, "stop"));
    expect(stop).toMatchObject({
      name: "stop_requested",
      data: { outcome: "accepted", requestedBy: TOKEN_NAME },
    });
    await advanceSimClock(45);
    expect(await untilState(worker, "STOPPED", (s) => s.status === "STOPPED")).toMatchObject({
      stoppedBy: TOKEN_NAME,
    });

    // Terminate needs the instance id as confirmation: without it, or with another, nothing is asked of EC2.
    for (const confirm of ["", "?confirm=i-0000000000000000f"]) {
      const refused = await api<{ type: string }>(
        system.apiUrl,
        `/api/v1/workers/${worker.workerId}/terminate${confirm}`,
        { method: "POST", headers: authorization, expect: [400] },
      );
      expect(refused.status).toBe(400);
    }
    const terminate = await outcomeOf(worker, await operator(worker, "terminate"));
    expect(terminate).toMatchObject({ name: "terminate_requested", data: { outcome: "accepted" } });
    await advanceSimClock(35);
    const gone = await untilState(worker, "TERMINATED", (s) => s.status === "TERMINATED");
    expect(gone.terminatedBy).toBe(TOKEN_NAME);

    const events = await streamEvents(worker);
    const operatorRequests = events
      .filter(
        (event) =>
          event.name.endsWith("_requested") && (event.data as { reason: string }).reason === "operator",
      )
      .map((event) => [event.name, (event.data as { requestedBy: string }).requestedBy]);
    expect(operatorRequests).toEqual([
      ["stop_requested", TOKEN_NAME],
      ["start_requested", TOKEN_NAME],
      ["stop_requested", TOKEN_NAME],
      ["terminate_requested", TOKEN_NAME],
    ]);
    expect(events.filter((event) => event.name === "terminated").map((event) => event.data)).toEqual([
      expect.objectContaining({ terminatedBy: TOKEN_NAME }),
    ]);
    expect(await stateChangingCalls("StartInstances")).toBe(1);
    expect(await stateChangingCalls("StopInstances")).toBe(2);
    expect(await stateChangingCalls("TerminateInstances")).toBe(1);
  }, 240_000);

  it("publishes lifecycle outcomes that match the contract", async () => {
    const messages = await readStream(nc, createTopology().streams.telemetry.name);
    const outcomes = messages.filter((message) => message.event.type === telemetry.ec2Action.type);
    expect(outcomes.length).toBeGreaterThanOrEqual(7);
    for (const message of outcomes) {
      const definition = definitionOfType(message.event.type);
      if (!definition) throw new Error(message.event.type);
      parseEventData(definition, message.event);
      expect(message.event.id).toMatch(/^action:[0-9a-f-]{36}:(start|stop|terminate):/);
    }
  });
});
