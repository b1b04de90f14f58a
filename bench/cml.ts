/**
 * CML collection cycle over 1,000 simulated CML controllers (real HTTPS, 20 labs each) served from a child
 * process (its own event loop and file descriptors). One in-process collector-cml consumes one collect command
 * per worker from a fresh local nats-server.
 *
 * Fast path: the controllers add lab states to their `populate_lab_tiles` tiles. Two cycles: the first opens the
 * connections and authenticates, the second is the steady state (cached tokens and licensing), where calls per
 * worker (bar: at most 4) and sign-ins (bar: 0) are measured.
 * Documented path: the controllers then answer tiles in Cisco's documented shape (no lab state). Two more cycles:
 * the first finds the tiles unusable and reads `labs` + `labs/{id}/state` in the same read, the second is the
 * steady state of the documented calls (1 + labs per worker for the labs), measured the same way.
 *
 * Run: npm run bench -- cml
 */
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { startCollectorCml } from "@cml-telemetry/collector-cml";
import { createTopology, decodeEvent, telemetry, workerIdOf } from "@cml-telemetry/contracts";
import { type CmlLabTilesShape, createCmlServerPool, generateCmlLabs } from "@cml-telemetry/fleet-sim";
import { createOpsPublisher, openWorkersKv, provisionTopology, silentLogger } from "@cml-telemetry/messaging";
import { publishCollectCommands } from "@cml-telemetry/scheduling";
import { initialWorkerStateFixture } from "@cml-telemetry/scheduling/testing";
import { startNatsServer } from "@cml-telemetry/testing";
import { jetstream } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { isMain, printResult } from "./report.ts";

const WORKERS = 1_000;
const LABS_PER_WORKER = 20;
const USERNAME = "admin";
const PASSWORD = "bench-cml-password";
const CYCLE_LIMIT_MS = 60_000;
/** Bars of the fast path's steady state. */
const MAX_CALLS_PER_WORKER = 4;
const MAX_SIGN_INS_SECOND_CYCLE = 0;
const SERVER_MODE_FLAG = "--cml-servers";

/** Messages between the benchmark and its CML server process. */
type ServerReply =
  | { type: "ready"; endpoints: string[]; caCertPem: string }
  | { type: "calls"; calls: Record<string, number> }
  | { type: "reset" }
  | { type: "labTiles" };
type ServerRequest =
  | { type: "calls" }
  | { type: "reset" }
  | { type: "labTiles"; shape: CmlLabTilesShape }
  | { type: "close" };

/** Child mode: runs the simulated controllers and answers call-counter requests over IPC. */
async function serveCmlControllers(): Promise<void> {
  const send = (reply: ServerReply): void => {
    process.send?.(reply);
  };
  const pool = await createCmlServerPool({ username: USERNAME, password: PASSWORD });
  const endpoints: string[] = new Array(WORKERS);
  for (let start = 0; start < WORKERS; start += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, WORKERS - start) }, async (_, offset) => {
        const index = start + offset;
        const { endpoint } = await pool.add(`cml-${index}`, {
          labs: generateCmlLabs({ count: LABS_PER_WORKER, started: 5, seed: `cml-${index}` }),
          labTiles: "with-lab-fields",
        });
        endpoints[index] = endpoint;
      }),
    );
  }
  process.on("message", (request: ServerRequest) => {
    switch (request.type) {
      case "calls":
        send({ type: "calls", calls: pool.calls() });
        break;
      case "reset":
        pool.resetCalls();
        send({ type: "reset" });
        break;
      case "labTiles":
        for (let index = 0; index < WORKERS; index += 1)
          pool.update(`cml-${index}`, { labTiles: request.shape });
        send({ type: "labTiles" });
        break;
      case "close":
        void pool.close().then(() => process.exit(0));
        break;
    }
  });
  process.on("disconnect", () => void pool.close().then(() => process.exit(0)));
  send({ type: "ready", endpoints, caCertPem: pool.caCertPem });
}

/** Sends a request to the server process and waits for the reply of that type. */
function ask<T extends ServerReply["type"]>(
  child: ChildProcess,
  request: ServerRequest & { type: T },
): Promise<Extract<ServerReply, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`CML server process did not answer ${request.type}`)),
      30_000,
    );
    const onMessage = (reply: ServerReply): void => {
      if (reply.type !== request.type) return;
      clearTimeout(timer);
      child.off("message", onMessage);
      resolve(reply as Extract<ServerReply, { type: T }>);
    };
    child.on("message", onMessage);
    child.send(request);
  });
}

function startServerProcess(): Promise<{ child: ChildProcess; endpoints: string[]; caCertPem: string }> {
  const child = fork(fileURLToPath(import.meta.url), [SERVER_MODE_FLAG], {
    execPath: process.execPath,
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("CML server process did not start in 120 s")), 120_000);
    child.once("exit", (code) => reject(new Error(`CML server process exited early (${code})`)));
    child.once("message", (reply: ServerReply) => {
      clearTimeout(timer);
      if (reply.type === "ready") resolve({ child, endpoints: reply.endpoints, caCertPem: reply.caCertPem });
      else reject(new Error(`unexpected first message ${reply.type}`));
    });
  });
}

interface Worker {
  readonly workerId: string;
  readonly region: string;
  readonly instanceId: string;
  readonly httpsEndpoint: string;
}

/** Writes one RUNNING worker record per controller into KV `cml_workers`. */
async function registerWorkers(
  nc: NatsConnection,
  topology: ReturnType<typeof createTopology>,
  endpoints: string[],
) {
  const kv = await openWorkersKv(nc, topology);
  const workers: Worker[] = endpoints.map((httpsEndpoint, index) => {
    const instanceId = `i-${(0x20000000 + index).toString(16)}`;
    return { workerId: workerIdOf("us-east-1", instanceId), region: "us-east-1", instanceId, httpsEndpoint };
  });
  for (let start = 0; start < workers.length; start += 100) {
    await Promise.all(
      workers.slice(start, start + 100).map((worker) => {
        const state = {
          ...initialWorkerStateFixture(worker.workerId),
          instanceId: worker.instanceId,
          status: "RUNNING" as const,
          httpsEndpoint: worker.httpsEndpoint,
        };
        return kv.put(worker.workerId, JSON.stringify({ state, outbox: [], recentInputIds: [] }));
      }),
    );
  }
  return workers;
}

interface CycleResult {
  readonly seconds: number;
  /** Seconds until the first telemetry message arrived. */
  readonly firstSeconds: number;
  readonly full: number;
  readonly failed: number;
}

/** Publishes one collect command per worker and waits until every worker's telemetry was published. */
async function runCycle(nc: NatsConnection, workers: readonly Worker[], slot: number): Promise<CycleResult> {
  const subscription = nc.subscribe("cml.telemetry.cml.>");
  const seen = new Set<string>();
  let full = 0;
  let failed = 0;
  let firstAt = 0;
  const started = performance.now();
  const complete = (async () => {
    for await (const message of subscription) {
      const event = decodeEvent(message.data);
      if (event.subject === undefined || seen.has(event.subject)) continue;
      seen.add(event.subject);
      if (seen.size === 1) firstAt = performance.now();
      if (event.type === telemetry.cmlMetrics.type) {
        const data = telemetry.cmlMetrics.schema.parse(event.data);
        if (data.ready && data.labsCount === LABS_PER_WORKER && data.licenseStatus === "REGISTERED")
          full += 1;
      } else failed += 1;
      if (seen.size === workers.length) break;
    }
    return performance.now();
  })();
  await publishCollectCommands({
    js: jetstream(nc),
    service: "collector-cml",
    source: "cml",
    targets: workers,
    reason: "schedule",
    slot,
  });
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(
      () => reject(new Error(`cycle did not finish in ${CYCLE_LIMIT_MS / 1000} s (${seen.size} workers)`)),
      CYCLE_LIMIT_MS,
    ).unref(),
  );
  try {
    const finished = await Promise.race([complete, timeout]);
    return { seconds: (finished - started) / 1000, firstSeconds: (firstAt - started) / 1000, full, failed };
  } finally {
    subscription.unsubscribe();
  }
}

const sum = (calls: Record<string, number>): number =>
  Object.values(calls).reduce((total, n) => total + n, 0);
const round2 = (value: number): number => Math.round(value * 100) / 100;

async function main(): Promise<void> {
  const natsServer = await startNatsServer();
  const servers = await startServerProcess();
  const nc = await connect({ servers: natsServer.url, noAsyncTraces: true });
  try {
    process.stderr.write(`${servers.endpoints.length} simulated CML controllers ready\n`);
    const topology = createTopology({ namePrefix: "BENCH_CML_" });
    await provisionTopology(nc, topology, { logger: silentLogger });
    const workers = await registerWorkers(nc, topology, servers.endpoints);
    const ops = createOpsPublisher({ nc, service: "collector-cml", logger: silentLogger });
    let latency: Record<string, { calls: number; totalMs: number }> = {};
    const latencyText = (): string => {
      const text = Object.entries(latency)
        .map(([endpoint, entry]) => `${endpoint} ${round2(entry.totalMs / entry.calls)} ms`)
        .join(", ");
      latency = {};
      return text;
    };
    const collector = await startCollectorCml({
      nc,
      topology,
      logger: silentLogger,
      ops,
      intervalSeconds: 60,
      schedule: false,
      batchSize: WORKERS,
      onCall: (endpoint, _outcome, durationMs) => {
        const entry = latency[endpoint] ?? { calls: 0, totalMs: 0 };
        entry.calls += 1;
        entry.totalMs += durationMs;
        latency[endpoint] = entry;
      },
      cml: {
        username: USERNAME,
        password: PASSWORD,
        verifyTls: true,
        caPem: servers.caCertPem,
        timeoutSeconds: 10,
        concurrency: 32,
      },
    });
    try {
      const slot = Math.floor(Date.now() / 60_000) * 60;
      /** Runs one cycle, prints its line, and returns its seconds and the controllers' calls. */
      const measuredCycle = async (name: string, cycleSlot: number) => {
        await ask(servers.child, { type: "reset" });
        const cycle = await runCycle(nc, workers, cycleSlot);
        const { calls } = await ask(servers.child, { type: "calls" });
        process.stderr.write(
          `${name}: ${round2(cycle.seconds)} s (first message after ${round2(cycle.firstSeconds)} s), ${cycle.full} full / ${cycle.failed} failed, calls ${JSON.stringify(calls)}, mean latency ${latencyText()}\n`,
        );
        if (cycle.full !== WORKERS)
          throw new Error(`${name}: expected full metrics for all ${WORKERS} workers`);
        return { seconds: cycle.seconds, calls };
      };
      const first = await measuredCycle("fast path, cycle 1", slot);
      const second = await measuredCycle("fast path, cycle 2", slot + 60);
      await ask(servers.child, { type: "labTiles", shape: "documented" });
      const switched = await measuredCycle("documented path, cycle 3 (tiles found unusable)", slot + 120);
      const documented = await measuredCycle("documented path, cycle 4", slot + 180);

      const callsPerWorker = round2(sum(second.calls) / WORKERS);
      const authCallsSecondCycle = second.calls.authenticate ?? 0;
      await ops.flush();
      printResult({
        bench: "cml",
        workers: WORKERS,
        labsPerWorker: LABS_PER_WORKER,
        cycleSeconds: round2(Math.max(first.seconds, second.seconds)),
        callsPerWorker,
        authCallsSecondCycle,
        documentedPathCycleSeconds: round2(Math.max(switched.seconds, documented.seconds)),
        documentedPathCallsPerWorker: round2(sum(documented.calls) / WORKERS),
        documentedPathSwitchCallsPerWorker: round2(sum(switched.calls) / WORKERS),
        documentedPathAuthCalls: (switched.calls.authenticate ?? 0) + (documented.calls.authenticate ?? 0),
      });
      if (callsPerWorker > MAX_CALLS_PER_WORKER || authCallsSecondCycle > MAX_SIGN_INS_SECOND_CYCLE) {
        throw new Error(
          `fast path bars missed: ${callsPerWorker} calls per worker (at most ${MAX_CALLS_PER_WORKER}), ${authCallsSecondCycle} sign-ins in the second cycle (at most ${MAX_SIGN_INS_SECOND_CYCLE})`,
        );
      }
    } finally {
      await collector.stop();
    }
  } finally {
    await nc.drain().catch(() => undefined);
    servers.child.send({ type: "close" } satisfies ServerRequest);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        servers.child.kill("SIGKILL");
        resolve();
      }, 10_000);
      servers.child.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
    });
    await natsServer.stop();
  }
}

if (isMain(import.meta.url)) {
  const run = process.argv.includes(SERVER_MODE_FLAG) ? serveCmlControllers() : main();
  run.catch((error: unknown) => {
    process.stderr.write(`bench cml failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
