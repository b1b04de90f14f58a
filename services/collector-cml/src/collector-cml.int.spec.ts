import { randomBytes } from "node:crypto";
import {
  type CmlCloudEvent,
  correlationIdOf,
  createTopology,
  decodeEvent,
  opsEvents,
  parseEventData,
  type Topology,
  telemetry,
  type WorkerState,
  workerIdOf,
} from "@cml-telemetry/contracts";
import { createCloudEventSchemaValidator } from "@cml-telemetry/contracts/testing";
import {
  type CmlServerPool,
  type CmlServerSpec,
  createCmlServerPool,
  generateCmlLabs,
} from "@cml-telemetry/fleet-sim";
import {
  createOpsPublisher,
  type OpsPublisher,
  openWorkersKv,
  provisionTopology,
  silentLogger,
} from "@cml-telemetry/messaging";
import { createLogger, createMetrics, type Metrics } from "@cml-telemetry/observability";
import { publishCollectCommands } from "@cml-telemetry/scheduling";
import { initialWorkerStateFixture } from "@cml-telemetry/scheduling/testing";
import { startNatsServer, type TestNatsServer, uniquePrefix, waitFor } from "@cml-telemetry/testing";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import { connect, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type CollectorCml, startCollectorCml } from "./start-collector-cml.ts";

const USERNAME = "admin";
const PASSWORD = "s3cret-cml-password";
const TOKEN_TTL_SECONDS = 3600;

let server: TestNatsServer;
let nc: NatsConnection;
let topology: Topology;
let kv: KV;
let pool: CmlServerPool;
let ops: OpsPublisher;
let clockOffsetMs = 0;
let logText = "";
const validateCloudEvent = createCloudEventSchemaValidator();
const received: CmlCloudEvent<unknown>[] = [];
const subscriptions: Subscription[] = [];
const running: CollectorCml[] = [];
let slot = 1_764_072_000;

function capture(subject: string): void {
  const subscription = nc.subscribe(subject);
  subscriptions.push(subscription);
  void (async () => {
    for await (const message of subscription) received.push(decodeEvent(message.data));
  })();
}

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connect({ servers: server.url });
  topology = createTopology({ namePrefix: uniquePrefix() });
  await provisionTopology(nc, topology, { logger: silentLogger });
  kv = await openWorkersKv(nc, topology);
  pool = await createCmlServerPool({
    username: USERNAME,
    password: PASSWORD,
    tokenTtlSeconds: TOKEN_TTL_SECONDS,
    now: () => Date.now() + clockOffsetMs,
  });
  ops = createOpsPublisher({ nc, service: "collector-cml", logger: silentLogger });
  capture("cml.telemetry.cml.>");
  capture("cml.ops.collector-cml.job");
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((collector) => collector.stop()));
});

afterAll(async () => {
  await Promise.all(running.splice(0).map((collector) => collector.stop()));
  for (const subscription of subscriptions) subscription.unsubscribe();
  await pool?.close();
  await nc?.drain();
  await server?.stop();
});

/** A logger whose JSON lines are kept in `logText` (to prove secrets are never written). */
function capturingLogger() {
  return createLogger({
    service: "collector-cml",
    level: "trace",
    destination: {
      write(line: string) {
        logText += line;
      },
    },
  });
}

async function start(
  options: {
    schedule?: boolean;
    metrics?: Metrics;
    withCredentials?: boolean;
    directoryCheckMs?: number;
  } = {},
) {
  const collector = await startCollectorCml({
    nc,
    topology,
    logger: capturingLogger(),
    ops,
    ...(options.metrics === undefined ? {} : { meter: options.metrics.meter }),
    intervalSeconds: 3600,
    schedule: options.schedule ?? false,
    ...(options.directoryCheckMs === undefined ? {} : { directoryCheckMs: options.directoryCheckMs }),
    cml: {
      ...(options.withCredentials === false ? {} : { username: USERNAME, password: PASSWORD }),
      verifyTls: true,
      caPem: pool.caCertPem,
      timeoutSeconds: 3,
      concurrency: 8,
    },
  });
  running.push(collector);
  return collector;
}

interface SimWorker {
  readonly key: string;
  readonly state: WorkerState;
}

/** Starts a simulated controller and writes a worker record (RUNNING, its endpoint) into KV. */
async function addWorker(
  spec: Partial<CmlServerSpec> = {},
  state: Partial<WorkerState> = {},
): Promise<SimWorker> {
  const instanceId = `i-${randomBytes(8).toString("hex").slice(0, 17)}`;
  const id = workerIdOf("us-east-1", instanceId);
  const { endpoint } = await pool.add(id, spec);
  const worker = {
    ...initialWorkerStateFixture(id),
    instanceId,
    status: "RUNNING" as const,
    httpsEndpoint: endpoint,
    ...state,
  };
  await putWorker(worker);
  return { key: id, state: worker };
}

async function putWorker(state: WorkerState): Promise<void> {
  await kv.put(state.id, JSON.stringify({ state, outbox: [], recentInputIds: [] }));
}

async function waitForDirectory(collector: CollectorCml, state: WorkerState): Promise<void> {
  await waitFor(
    () => {
      const known = collector.directory.get(state.id);
      return known?.status === state.status && known.httpsEndpoint === state.httpsEndpoint;
    },
    { what: `directory to show ${state.id}` },
  );
}

const telemetryOf = (workerId: string) =>
  received.filter((event) => event.subject === workerId && event.type.startsWith("io.cml-telemetry.cml."));

/** Publishes one scheduled collect command per worker (a new slot) and waits for their telemetry. */
async function cycle(
  workers: readonly SimWorker[],
  options: { correlationId?: string; refresh?: boolean } = {},
) {
  slot += 60;
  const before = new Map(workers.map((worker) => [worker.key, telemetryOf(worker.key).length]));
  await publishCollectCommands({
    js: jetstream(nc),
    service: "collector-cml",
    source: "cml",
    targets: workers.map((worker) => ({
      workerId: worker.state.id,
      region: worker.state.region,
      instanceId: worker.state.instanceId,
      ...(worker.state.httpsEndpoint ? { httpsEndpoint: worker.state.httpsEndpoint } : {}),
    })),
    reason: options.refresh ? "refresh" : "schedule",
    slot,
    ...(options.correlationId === undefined ? {} : { correlationId: options.correlationId }),
  });
  return await waitFor(
    () => {
      const latest = workers.map((worker) => telemetryOf(worker.key)[before.get(worker.key) ?? 0]);
      return latest.every((event) => event !== undefined) ? (latest as CmlCloudEvent<unknown>[]) : undefined;
    },
    { what: "telemetry of every worker", timeoutMs: 15_000 },
  );
}

/** Waits until the collector's consumer has nothing pending or unacknowledged. */
async function waitForIdleConsumer(): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await waitFor(
    async () => {
      const info = await jsm.consumers.info(topology.streams.commands.name, "collector-cml");
      return info.num_pending === 0 && info.num_ack_pending === 0;
    },
    { what: "collector-cml consumer to be idle" },
  );
}

function present(event: CmlCloudEvent<unknown> | undefined): CmlCloudEvent<unknown> {
  if (event === undefined) throw new Error("expected a telemetry message");
  return event;
}
const metricsData = (event: CmlCloudEvent<unknown> | undefined) =>
  parseEventData(telemetry.cmlMetrics, present(event));
const failedData = (event: CmlCloudEvent<unknown> | undefined) =>
  parseEventData(telemetry.cmlFailed, present(event));

describe("collector-cml over real HTTPS and JetStream", () => {
  it("publishes full metrics for a ready controller; the next cycle reuses the token and the licensing status", async () => {
    const metrics = await createMetrics({ service: "collector-cml", port: 0 });
    const collector = await start({ metrics });
    const worker = await addWorker({ labs: generateCmlLabs({ count: 20, started: 3, seed: "ready" }) });
    await waitForDirectory(collector, worker.state);

    const [first] = await cycle([worker]);
    expect(first?.source).toBe("/cml-telemetry/collector-cml");
    expect(first?.type).toBe(telemetry.cmlMetrics.type);
    expect(metricsData(first)).toMatchObject({
      workerId: worker.key,
      region: "us-east-1",
      instanceId: worker.state.instanceId,
      ready: true,
      version: "2.9.1+build.7",
      uptimeSeconds: null,
      labsCount: 20,
      runningLabsCount: 3,
      licenseStatus: "REGISTERED",
      cpuPercent: 4.17,
      memoryUsedPercent: 16.67,
      diskUsedPercent: 69.09,
      runningNodes: 8,
      systemInfo: { version: "2.9.1+build.7", ready: true },
    });
    expect(pool.calls(worker.key)).toEqual({
      system_information: 1,
      authenticate: 1,
      populate_lab_tiles: 1,
      system_stats: 1,
      licensing: 1,
    });
    // One call at a time per controller: a single keep-alive connection, one TLS handshake.
    expect(pool.maxInFlight(worker.key)).toBe(1);

    pool.resetCalls();
    const [second] = await cycle([worker]);
    expect(metricsData(second)).toMatchObject({ ready: true, licenseStatus: "REGISTERED" });
    expect(pool.calls(worker.key)).toEqual({ system_information: 1, populate_lab_tiles: 1, system_stats: 1 });
    expect(collector.clients.size()).toBe(1);

    const scraped = await metrics.scrape();
    expect(scraped).toMatch(
      /cml_client_calls_total\{[^}]*endpoint="system_information"[^}]*outcome="ok"[^}]*\} 2/,
    );
    expect(scraped).toMatch(/cml_client_authentications_total\{[^}]*outcome="ok"[^}]*\} 1/);
    expect(scraped).toMatch(/cml_client_call_duration_seconds_bucket/);
    expect(scraped).toMatch(/cml_collections_total\{[^}]*result="metrics"[^}]*\} 2/);
    await metrics.close();

    await waitForIdleConsumer();
    const jobs = received.filter((event) => event.type === opsEvents.jobCompleted.type);
    expect(jobs.length).toBeGreaterThanOrEqual(2);
    expect(parseEventData(opsEvents.jobCompleted, present(jobs.at(-1)))).toMatchObject({
      jobName: "collect-cml",
      entriesProcessed: 1,
    });
  });

  it("reports booting, unready, down and malformed controllers by kind while the healthy one keeps updating", async () => {
    await start();
    const healthy = await addWorker();
    const booting = await addWorker({ mode: "booting" });
    const unready = await addWorker({ ready: false });
    const down = await addWorker({ mode: "down" });
    const malformed = await addWorker({ mode: "malformed" });
    const all = [healthy, booting, unready, down, malformed];

    for (let round = 0; round < 2; round += 1) {
      const [healthyEvent, bootingEvent, unreadyEvent, downEvent, malformedEvent] = await cycle(all);
      expect(metricsData(healthyEvent)).toMatchObject({ ready: true, labsCount: 3 });
      expect(metricsData(bootingEvent)).toMatchObject({
        ready: false,
        version: null,
        labsCount: null,
        systemInfo: null,
      });
      expect(metricsData(unreadyEvent)).toMatchObject({
        ready: false,
        version: "2.9.1+build.7",
        labsCount: null,
      });
      expect(failedData(downEvent)).toMatchObject({ errorType: "CmlUnreachable", retryable: true });
      expect(failedData(malformedEvent)).toMatchObject({ errorType: "CmlBadResponse", retryable: false });
    }
    for (const quiet of [booting, unready]) {
      expect(pool.calls(quiet.key)).toEqual({ system_information: 2 });
    }
    await waitForIdleConsumer();
  });

  it("backs authentication off after rejected credentials (no retry storm) and recovers when they work again", async () => {
    const collector = await start();
    const worker = await addWorker({ mode: "bad-credentials" });
    await waitForDirectory(collector, worker.state);

    const authAttempts: number[] = [];
    for (let round = 0; round < 6; round += 1) {
      const [event] = await cycle([worker]);
      expect(failedData(event)).toMatchObject({
        errorType: "CmlAuthFailed",
        retryable: false,
      });
      authAttempts.push(pool.calls(worker.key).authenticate ?? 0);
    }
    // Attempts in cycles 1, 3 and 6 (skips of 1 then 2 collections); the probe runs every cycle.
    expect(authAttempts).toEqual([1, 1, 2, 2, 2, 3]);
    expect(pool.calls(worker.key).system_information).toBe(6);
    expect(pool.calls(worker.key).system_stats ?? 0).toBe(0);

    pool.update(worker.key, { mode: "up" });
    const skipped = await cycle([worker]);
    expect(failedData(skipped[0]).errorType).toBe("CmlAuthFailed");
    let recovered: CmlCloudEvent<unknown> | undefined;
    for (let round = 0; round < 4 && recovered === undefined; round += 1) {
      const [event] = await cycle([worker]);
      if (event?.type === telemetry.cmlMetrics.type) recovered = event;
    }
    expect(metricsData(recovered)).toMatchObject({ ready: true, licenseStatus: "REGISTERED" });
    await waitForIdleConsumer();
  });

  it("re-authenticates exactly once when the token expires", async () => {
    const collector = await start();
    const worker = await addWorker();
    await waitForDirectory(collector, worker.state);
    await cycle([worker]);
    expect(pool.calls(worker.key).authenticate).toBe(1);

    clockOffsetMs += (TOKEN_TTL_SECONDS + 1) * 1000;
    pool.resetCalls();
    const [event] = await cycle([worker]);
    expect(metricsData(event)).toMatchObject({ ready: true, labsCount: 3 });
    expect(pool.calls(worker.key).authenticate).toBe(1);

    pool.resetCalls();
    await cycle([worker]);
    expect(pool.calls(worker.key).authenticate ?? 0).toBe(0);
    await waitForIdleConsumer();
  });

  it("makes no CML call for a worker that is not RUNNING, has no endpoint or is unknown", async () => {
    const collector = await start();
    const stopped = await addWorker({}, { status: "STOPPED" });
    const noEndpointServer = await addWorker({}, { httpsEndpoint: null });
    const unknown = await addWorker();
    await kv.delete(unknown.key);
    await waitForDirectory(collector, stopped.state);
    await waitForDirectory(collector, noEndpointServer.state);
    await waitFor(() => collector.directory.get(unknown.key) === undefined, {
      what: "deleted worker to vanish",
    });
    const control = await addWorker();
    await waitForDirectory(collector, control.state);

    pool.resetCalls();
    const before = received.length;
    await cycle([control]);
    slot += 60;
    await publishCollectCommands({
      js: jetstream(nc),
      service: "collector-cml",
      source: "cml",
      targets: [stopped, noEndpointServer, unknown].map((worker) => ({
        workerId: worker.state.id,
        region: worker.state.region,
        instanceId: worker.state.instanceId,
        ...(worker.state.httpsEndpoint ? { httpsEndpoint: worker.state.httpsEndpoint } : {}),
      })),
      reason: "schedule",
      slot,
    });
    await waitForIdleConsumer();
    for (const quiet of [stopped, noEndpointServer, unknown]) {
      expect(pool.calls(quiet.key)).toEqual({});
      expect(telemetryOf(quiet.key)).toEqual([]);
    }
    expect(received.length).toBeGreaterThan(before);
  });

  it("carries the refresh correlation id and re-reads licensing on a refresh", async () => {
    const collector = await start();
    const worker = await addWorker();
    await waitForDirectory(collector, worker.state);
    await cycle([worker]);
    pool.update(worker.key, { license: { registration: "EVAL", authorization: "EVAL" } });
    pool.resetCalls();
    const [event] = await cycle([worker], { refresh: true, correlationId: "refresh-42" });
    expect(correlationIdOf(present(event))).toBe("refresh-42");
    expect(metricsData(event).licenseStatus).toBe("EVALUATION");
    expect(pool.calls(worker.key).licensing).toBe(1);
    await waitForIdleConsumer();
  });

  it("schedules RUNNING workers at start, a newly RUNNING worker at once, and follows endpoint changes", async () => {
    const early = await addWorker();
    const late = await addWorker({}, { status: "PENDING" });
    const collector = await start({ schedule: true, directoryCheckMs: 50 });
    await waitFor(() => telemetryOf(early.key).length > 0, {
      what: "scheduled telemetry of the running worker",
    });
    expect(telemetryOf(late.key)).toEqual([]);
    expect(pool.calls(late.key)).toEqual({});

    await putWorker({ ...late.state, status: "RUNNING" });
    await waitFor(() => telemetryOf(late.key).length > 0, { what: "telemetry of the newly running worker" });
    expect(metricsData(telemetryOf(late.key)[0]).ready).toBe(true);

    const moved = await pool.add(`${early.key}-moved`, { labs: generateCmlLabs({ count: 7, started: 0 }) });
    await putWorker({ ...early.state, httpsEndpoint: moved.endpoint });
    await waitFor(() => collector.clients.endpointOf(early.key) === undefined, {
      what: "the moved worker's client to be evicted",
    });
    const [event] = await cycle([
      { key: early.key, state: { ...early.state, httpsEndpoint: moved.endpoint } },
    ]);
    expect(metricsData(event).labsCount).toBe(7);

    await putWorker({ ...late.state, status: "STOPPED" });
    await waitFor(() => collector.clients.endpointOf(late.key) === undefined, {
      what: "the stopped worker's client to be evicted",
    });
    expect(collector.clients.endpointOf(early.key)).toBe(moved.endpoint);
    await waitForIdleConsumer();
  });

  it("probes only when no CML user is configured", async () => {
    const collector = await start({ withCredentials: false });
    const worker = await addWorker();
    await waitForDirectory(collector, worker.state);
    const [event] = await cycle([worker]);
    expect(metricsData(event)).toMatchObject({
      ready: true,
      version: "2.9.1+build.7",
      labsCount: null,
    });
    expect(pool.calls(worker.key)).toEqual({ system_information: 1 });
    await waitForIdleConsumer();
  });

  it("every published message validates against the contracts and the CloudEvents schema", () => {
    expect(received.length).toBeGreaterThan(20);
    for (const event of received) {
      const json = JSON.parse(JSON.stringify(event)) as unknown;
      expect(validateCloudEvent(json), event.type).toBeUndefined();
      const definition = [
        telemetry.cmlMetrics,
        telemetry.cmlFailed,
        opsEvents.jobStarted,
        opsEvents.jobCompleted,
        opsEvents.jobFailed,
      ].find((candidate) => candidate.type === event.type);
      expect(definition, event.type).toBeDefined();
      expect(definition?.schema.safeParse(event.data).success, event.type).toBe(true);
    }
  });

  it("never logs the CML password or a token", () => {
    expect(logText).toContain("CML collection failed");
    expect(logText).not.toContain(PASSWORD);
    expect(logText).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
    expect(logText.toLowerCase()).not.toContain("bearer");
  });
});
