/**
 * API benchmark: a bare Hono hello-world on @hono/node-server as the baseline, then `GET /api/v1/workers/:id` and
 * the list with 10,000 workers in the cache (loaded through KV), and the time one domain event takes to reach
 * 1,000 SSE clients. Loopback only, every phase bounded in time. Hello and get-worker run alternately in
 * 3 rounds of 4 s and each keeps its best round, so a busy shared host skews the ratio less.
 *
 * Run: npm run bench -- api
 * Last line: {"bench":"api","getWorkerRps":N,"listRps":N,"helloRps":N,"ratio":R,"p99Ms":T,"sseClients":1000,"sseFanoutMs":T}
 */
import { request as httpRequest, type IncomingMessage, type Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { aWorkerState, startTestApi } from "@cml-telemetry/api/testing";
import { createEvent, createTopology, domainEvents, encodeEvent, subjects } from "@cml-telemetry/contracts";
import { connectNats, openWorkersKv, silentLogger } from "@cml-telemetry/messaging";
import { startNatsServer } from "@cml-telemetry/testing";
import { serve } from "@hono/node-server";
import { jetstream } from "@nats-io/jetstream";
import { Hono } from "hono";
import { isMain, printResult } from "./report.ts";

const WORKERS = 10_000;
const SSE_CLIENTS = 1_000;
const LOAD_SECONDS = 4;
/** Hello and get are measured alternately this many times; each keeps its best round (the host is shared). */
const ROUNDS = 3;
const CONNECTIONS = 50;

interface AutocannonResult {
  requests: { average: number };
  latency: { p99: number };
  non2xx: number;
  errors: number;
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

async function load(url: string, requests: Array<{ path: string }>): Promise<AutocannonResult> {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: LOAD_SECONDS,
    workers: 1,
    requests,
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`load on ${url} had ${result.non2xx} non-2xx answers and ${result.errors} errors`);
  }
  return result;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
    }),
  ]);
}

async function startHello(): Promise<{ url: string; close(): void }> {
  const app = new Hono().get("/", (c) => c.text("hello"));
  const server = await new Promise<Server>((resolve) => {
    const started = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, () =>
      resolve(started as Server),
    ) as Server;
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** Opens one SSE client; resolves once connected; `seen(marker)` resolves when the marker arrives. */
function openSseClient(base: string): Promise<{ waitFor(marker: string): Promise<void>; close(): void }> {
  return new Promise((resolve, reject) => {
    let buffer = "";
    let wanted: { marker: string; resolve: () => void } | undefined;
    const req = httpRequest(
      `${base}/api/v1/events?type=status_changed`,
      { agent: false },
      (res: IncomingMessage) => {
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          buffer += chunk;
          if (buffer.length > 65_536) buffer = buffer.slice(-8_192);
          if (wanted && buffer.includes(wanted.marker)) wanted.resolve();
        });
        resolve({
          waitFor: (marker) =>
            new Promise<void>((done) => {
              if (buffer.includes(marker)) done();
              else wanted = { marker, resolve: done };
            }),
          close: () => req.destroy(),
        });
      },
    );
    req.on("error", reject);
    req.end();
  });
}

/** Runs the benchmark and returns its result line. */
export async function runApiBench(): Promise<Record<string, unknown> & { bench: string }> {
  const nats = await startNatsServer();
  const nc = await connectNats({ url: nats.url, name: "bench-api", logger: silentLogger });
  const topology = createTopology({ namePrefix: "BENCH_API_" });
  const running = await startTestApi({
    nc,
    topology,
    // Every SSE client of the bench is the same (anonymous) principal: room for all of them.
    settings: { maxLiveConnections: SSE_CLIENTS, maxLiveConnectionsPerToken: SSE_CLIENTS },
  });
  const clients: Array<{ close(): void }> = [];
  try {
    const kv = await openWorkersKv(nc, topology);
    const ids: string[] = [];
    for (let start = 0; start < WORKERS; start += 500) {
      const batch = Array.from({ length: Math.min(500, WORKERS - start) }, () => aWorkerState());
      await Promise.all(
        batch.map((state) => kv.put(state.id, JSON.stringify({ state, outbox: [], recentInputIds: [] }))),
      );
      ids.push(...batch.map((state) => state.id));
    }
    await withTimeout(
      (async () => {
        while (running.readModel.size() < WORKERS) await new Promise((resolve) => setTimeout(resolve, 50));
      })(),
      60_000,
      "loading 10,000 workers into the cache",
    );

    const getPaths = ids.slice(0, 200).map((id) => ({ path: `/api/v1/workers/${id}` }));
    const hello = await startHello();
    let helloRps = 0;
    let get: AutocannonResult | undefined;
    try {
      for (let round = 0; round < ROUNDS; round++) {
        helloRps = Math.max(helloRps, (await load(hello.url, [{ path: "/" }])).requests.average);
        const result = await load(running.url, getPaths);
        if (!get || result.requests.average > get.requests.average) get = result;
      }
    } finally {
      hello.close();
    }
    if (!get) throw new Error("no load round ran");
    const list = await load(running.url, [{ path: "/api/v1/workers?limit=100" }]);

    for (let index = 0; index < SSE_CLIENTS; index += 100) {
      const opened = await Promise.all(Array.from({ length: 100 }, () => openSseClient(running.url)));
      clients.push(...opened);
    }
    await withTimeout(
      (async () => {
        while (running.api.hub.size() < SSE_CLIENTS) await new Promise((resolve) => setTimeout(resolve, 20));
      })(),
      30_000,
      "connecting 1,000 SSE clients",
    );
    const workerId = ids[0] as string;
    const event = createEvent(domainEvents.status_changed, {
      source: "worker-aggregate",
      subject: workerId,
      data: { ...domainEvents.status_changed.example, workerId, version: 2 },
    });
    const marker = event.id;
    const arrivals = (clients as Array<Awaited<ReturnType<typeof openSseClient>>>).map((client) =>
      client.waitFor(marker),
    );
    const started = performance.now();
    await jetstream(nc).publish(subjects.workerEvent(workerId, "status_changed"), encodeEvent(event), {
      msgID: event.id,
    });
    await withTimeout(Promise.all(arrivals), 30_000, "fan-out to 1,000 SSE clients");
    const sseFanoutMs = performance.now() - started;

    const getWorkerRps = Math.round(get.requests.average);
    return {
      bench: "api",
      getWorkerRps,
      listRps: Math.round(list.requests.average),
      helloRps: Math.round(helloRps),
      ratio: Number((getWorkerRps / helloRps).toFixed(3)),
      p99Ms: get.latency.p99,
      sseClients: SSE_CLIENTS,
      sseFanoutMs: Number(sseFanoutMs.toFixed(1)),
    };
  } finally {
    for (const client of clients) client.close();
    await running.stop();
    await nc.drain();
    await nats.stop();
  }
}

if (isMain(import.meta.url)) {
  const result = await runApiBench();
  printResult(result);
  process.exit(0);
}
