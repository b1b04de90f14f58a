import { request as httpRequest } from "node:http";
import { createTopology, type WorkerState } from "@cml-telemetry/contracts";
import { connectNats, openWorkersKv, silentLogger } from "@cml-telemetry/messaging";
import { startNatsServer, type TestNatsServer, uniquePrefix, waitFor } from "@cml-telemetry/testing";
import type { KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { AppSettings } from "./app/app-deps.ts";
import type { RunningApi } from "./start-api.ts";
import { startTestApi } from "./testing/start-test-api.ts";
import { aWorkerState } from "./testing/worker-state-builder.ts";
import { closeOf, floodWithSubscribes, openSocket } from "./testing/ws-client.ts";

/** An answer read off the wire: status, headers and the whole body. */
interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Sends a request with exactly these headers (fetch cannot set `Host`); reads the whole answer. */
function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? "GET", headers: options.headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

/** The status, headers and body a server answers to a WebSocket upgrade it refuses (or 101 when it accepts). */
function refusedUpgrade(url: string, options: WebSocket.ClientOptions = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options);
    socket.once("unexpected-response", (_request, response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        body += chunk;
      });
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
      );
    });
    socket.once("open", () => {
      socket.close();
      resolve({ status: 101, headers: {}, body: "" });
    });
    socket.once("error", (error) => {
      if (!/Unexpected server response/.test(error.message)) reject(error);
    });
  });
}

let server: TestNatsServer;
let nc: NatsConnection;
/** One topology for every API started here (stream subjects cannot overlap on one server). */
const topology = createTopology({ namePrefix: uniquePrefix() });
const running: RunningApi[] = [];

async function start(
  tokens: Array<{ name: string; role: "viewer" | "operator"; token: string }>,
  settings: Partial<AppSettings> = {},
): Promise<{ api: RunningApi; kv: KV }> {
  const api = await startTestApi({ nc, topology, tokens, settings });
  running.push(api);
  return { api, kv: await openWorkersKv(nc, topology) };
}

async function putWorker(kv: KV, api: RunningApi, state: WorkerState): Promise<void> {
  await kv.put(state.id, JSON.stringify({ state, outbox: [], recentInputIds: [] }));
  await waitFor(() => api.readModel.get(state.id), { what: "worker cached" });
}

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connectNats({ url: server.url, name: "api-network-safety", logger: silentLogger });
});

afterAll(async () => {
  for (const api of running) await api.stop();
  await nc?.drain();
  await server?.stop();
});

describe("WebSocket feed under abuse", () => {
  const TOKEN = "ws-abuse-viewer-token";
  let api: RunningApi;
  let wsUrl: string;

  beforeAll(async () => {
    ({ api } = await start([{ name: "ws", role: "viewer", token: TOKEN }], { wsPingIntervalMs: 300 }));
    wsUrl = `${api.url.replace("http", "ws")}/api/v1/ws?access_token=${TOKEN}`;
  });

  // The api's RSS under the same flood is measured on the api as a process (main.e2e.spec.ts), apart from the client.
  it("closes a client that sends 10,000 subscribes, with a reason, and sends it little", async () => {
    const { code, reason, receivedBytes } = await floodWithSubscribes(await openSocket(wsUrl), 10_000);
    expect(code).toBe(1008);
    expect(reason).toMatch(/subscription/);
    expect(receivedBytes).toBeLessThan(1_048_576);
  });

  it("closes a client whose message is larger than the inbound limit (1009)", async () => {
    const socket = await openSocket(wsUrl);
    const closed = closeOf(socket);
    socket.send(JSON.stringify({ action: "subscribe", padding: "x".repeat(100 * 1024) }));
    expect((await closed).code).toBe(1009);
  });

  it("pings idle clients and drops one that never answers", async () => {
    const socket = await openSocket(wsUrl, { autoPong: false });
    const closed = closeOf(socket);
    await closed;
    await waitFor(() => api.api.hub.size() === 0, { what: "dead client dropped" });
  });

  it("answers a refused upgrade with a problem body, not a bare status line", async () => {
    const answer = await refusedUpgrade(`${api.url.replace("http", "ws")}/api/v1/ws`);
    expect(answer.status).toBe(401);
    expect(answer.headers["content-type"]).toBe("application/problem+json");
    expect(JSON.parse(answer.body)).toMatchObject({
      status: 401,
      type: expect.stringContaining("unauthorized"),
    });
  });
});

describe("live connection caps", () => {
  const tokens = [
    { name: "first", role: "viewer" as const, token: "cap-first-viewer-token" },
    { name: "second", role: "viewer" as const, token: "cap-second-viewer-token" },
    { name: "third", role: "viewer" as const, token: "cap-third-viewer-token" },
  ];
  let api: RunningApi;

  beforeAll(async () => {
    ({ api } = await start(tokens, { maxLiveConnections: 2, maxLiveConnectionsPerToken: 1 }));
  });

  function sse(token: string): Promise<Response> {
    return fetch(`${api.url}/api/v1/events`, { headers: { authorization: `Bearer ${token}` } });
  }

  it("answers 429 past the per-token cap and 503 past the total cap, for SSE and WebSocket alike", async () => {
    const first = await sse("cap-first-viewer-token");
    expect(first.status).toBe(200);
    const again = await sse("cap-first-viewer-token");
    expect(again.status).toBe(429);
    expect(again.headers.get("content-type")).toBe("application/problem+json");
    const wsAgain = await refusedUpgrade(`${api.url.replace("http", "ws")}/api/v1/ws`, {
      headers: { authorization: "Bearer cap-first-viewer-token" },
    });
    expect(wsAgain.status).toBe(429);
    const second = await openSocket(`${api.url.replace("http", "ws")}/api/v1/ws`, {
      headers: { authorization: "Bearer cap-second-viewer-token" },
    });
    const full = await sse("cap-third-viewer-token");
    expect(full.status).toBe(503);
    await first.body?.cancel();
    second.close();
    await waitFor(() => api.api.hub.size() === 0, { what: "clients gone" });
    const afterwards = await sse("cap-third-viewer-token");
    expect(afterwards.status).toBe(200);
    await afterwards.body?.cancel();
  });
});

describe("cross-site use of an API without tokens", () => {
  let api: RunningApi;
  let kv: KV;
  let port: string;

  beforeAll(async () => {
    ({ api, kv } = await start([]));
    port = new URL(api.url).port;
  });

  it("refuses a DNS-rebound request whose Host is not loopback", async () => {
    const rebound = await rawRequest(`${api.url}/api/v1/workers`, {
      headers: { host: `attacker.example:${port}` },
    });
    expect(rebound.status).toBe(403);
    expect(rebound.headers["content-type"]).toBe("application/problem+json");
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) {
      expect((await rawRequest(`${api.url}/api/v1/workers`, { headers: { host } })).status).toBe(200);
    }
  });

  it.each(["refresh", "stop", "terminate", "start"])(
    "refuses a cross-site form post of %s, and accepts the same post from its own origin",
    async (action) => {
      const worker = aWorkerState({ status: action === "start" ? "STOPPED" : "RUNNING" });
      await putWorker(kv, api, worker);
      const query = action === "terminate" ? `?confirm=${worker.instanceId}` : "";
      const path = `${api.url}/api/v1/workers/${worker.id}/${action}${query}`;
      const form = { "content-type": "application/x-www-form-urlencoded" };
      const foreign = await rawRequest(path, {
        method: "POST",
        headers: { ...form, origin: "https://attacker.example" },
        body: "x=1",
      });
      expect(foreign.status).toBe(403);
      expect(JSON.parse(foreign.body)).toMatchObject({ status: 403 });
      const own = await rawRequest(path, {
        method: "POST",
        headers: { ...form, origin: `http://127.0.0.1:${port}` },
        body: "x=1",
      });
      expect(own.status).toBe(202);
    },
  );

  it("refuses a WebSocket upgrade from a foreign origin", async () => {
    const wsUrl = `${api.url.replace("http", "ws")}/api/v1/ws`;
    const foreign = await refusedUpgrade(wsUrl, { origin: "https://attacker.example" });
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body)).toMatchObject({ status: 403 });
    const own = await refusedUpgrade(wsUrl, { origin: `http://127.0.0.1:${port}` });
    expect(own.status).toBe(101);
  });
});
