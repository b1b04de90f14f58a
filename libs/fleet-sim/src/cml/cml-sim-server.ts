import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { Socket } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import type { TLSSocket } from "node:tls";
import {
  type CmlSimIdentity,
  errorBody,
  labBody,
  labStateBody,
  labTilesBody,
  licensingBody,
  serializeSystemStats,
  systemInformationBody,
  systemStatsBody,
} from "./cml-responses.ts";
import { createTokenStore, type TokenRejection } from "./token-store.ts";
import type { CmlServerSpec, CmlTrickle } from "./types.ts";

/** Options of {@link startCmlSimServer}. */
export interface CmlSimServerOptions {
  spec: CmlServerSpec;
  identity: CmlSimIdentity;
  tls: { keyPem: string; certPem: string };
  username: string;
  password: string;
  tokenTtlSeconds: number;
  now: () => number;
}

/** One simulated controller (HTTPS on 127.0.0.1, its own port). */
export interface CmlSimServer {
  readonly endpoint: string;
  spec(): CmlServerSpec;
  update(patch: Partial<CmlServerSpec>): void;
  calls(): Record<string, number>;
  /** TLS connections accepted since the last `resetCalls`, and how many of them resumed an earlier session. */
  connections(): { opened: number; resumed: number };
  maxInFlight(): number;
  resetCalls(): void;
  revokeTokens(): void;
  /** The certificate (PEM) served now. */
  certificatePem(): string;
  /** Serves another key and certificate, closing the open connections (as a restart of the web server does). */
  replaceTls(tls: { keyPem: string; certPem: string }): void;
  close(): Promise<void>;
}

interface Reply {
  status: number;
  body: string;
  contentType?: string;
}

const BAD_GATEWAY_PAGE =
  "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
const MAX_BODY_BYTES = 64 * 1024;
const UNAUTHORIZED: Record<TokenRejection, string> = {
  missing: "No authorization token provided.",
  invalid: "Invalid token.",
  expired: "Token has expired.",
};

const json = (status: number, value: unknown): Reply => ({ status, body: JSON.stringify(value) });
const failure = (status: number, description: string): Reply => json(status, errorBody(status, description));

/**
 * `/api/v0/labs/<uuid>` → `labs/{id}`, `/api/v0/labs/<uuid>/state` → `labs/{id}/state`; other API paths as they
 * are; non-API paths keep their slash.
 */
export function endpointOf(pathname: string): { endpoint: string; labId?: string } {
  if (!pathname.startsWith("/api/v0/")) return { endpoint: pathname };
  const rest = pathname.slice("/api/v0/".length).replace(/\/+$/, "");
  const lab = /^labs\/([^/]+)(\/state)?$/.exec(rest);
  if (lab) {
    const labId = decodeURIComponent(lab[1] as string);
    return { endpoint: lab[2] === undefined ? "labs/{id}" : "labs/{id}/state", labId };
  }
  return { endpoint: rest };
}

/** Writes `body` a few bytes at a time (the socket is never idle for `intervalMs` or longer); stops if it closes. */
async function trickleBody(response: ServerResponse, body: string, trickle: CmlTrickle): Promise<void> {
  const bytes = Buffer.from(body);
  const step = Math.max(1, Math.floor(trickle.bytesPerWrite));
  for (let offset = 0; offset < bytes.length; offset += step) {
    if (response.destroyed) return;
    response.write(bytes.subarray(offset, offset + step));
    if (offset + step < bytes.length) await delay(Math.max(0, trickle.intervalMs));
  }
  response.end();
}

async function readBody(request: IncomingMessage): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) break;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Starts the server on an ephemeral loopback port. */
export async function startCmlSimServer(options: CmlSimServerOptions): Promise<CmlSimServer> {
  let spec: CmlServerSpec = { ...options.spec };
  const tokens = createTokenStore(options.tokenTtlSeconds, options.now);
  const sockets = new Set<Socket>();
  let callCounts: Record<string, number> = {};
  let connectionCounts = { opened: 0, resumed: 0 };
  let inFlight = 0;
  let peakInFlight = 0;

  function authenticate(current: CmlServerSpec, rawBody: string): Reply {
    let credentials: unknown;
    try {
      credentials = JSON.parse(rawBody);
    } catch {
      return failure(400, "Request body is not valid JSON.");
    }
    const { username, password } = (credentials ?? {}) as { username?: unknown; password?: unknown };
    if (typeof username !== "string" || typeof password !== "string") {
      return failure(400, "username and password are required.");
    }
    if (
      current.mode === "bad-credentials" ||
      username !== options.username ||
      password !== options.password
    ) {
      return failure(403, "Authentication failed!");
    }
    return json(200, tokens.issue(username));
  }

  function route(current: CmlServerSpec, request: IncomingMessage, rawBody: string): Reply {
    const { endpoint, labId } = endpointOf(new URL(request.url ?? "/", "https://localhost").pathname);
    const method = request.method ?? "GET";
    if (endpoint === "authenticate") {
      return method === "POST" ? authenticate(current, rawBody) : failure(405, "Method Not Allowed");
    }
    if (method !== "GET") return failure(405, "Method Not Allowed");
    if (endpoint === "system_information") return json(200, systemInformationBody(current));
    const rejection = tokens.check(request.headers.authorization);
    const known = [
      "authok",
      "labs",
      "labs/{id}",
      "labs/{id}/state",
      "populate_lab_tiles",
      "licensing",
      "system_stats",
    ];
    if (!known.includes(endpoint)) return failure(404, "Not Found");
    if (rejection !== null) return failure(401, UNAUTHORIZED[rejection]);
    switch (endpoint) {
      case "authok":
        return json(200, "OK");
      case "labs":
        return json(
          200,
          current.labs.map((lab) => lab.id),
        );
      case "labs/{id}":
      case "labs/{id}/state": {
        const lab = current.labs.find((candidate) => candidate.id === labId);
        if (!lab) return failure(404, `Lab not found: ${labId}`);
        return json(200, endpoint === "labs/{id}" ? labBody(lab, options.identity) : labStateBody(lab));
      }
      case "populate_lab_tiles":
        return current.labTiles === "absent"
          ? failure(404, "Not Found")
          : json(200, labTilesBody(current, options.identity));
      case "licensing":
        return json(200, licensingBody(current, options.identity));
      default:
        return {
          status: 200,
          body: serializeSystemStats(systemStatsBody(current, options.identity), current.variant),
        };
    }
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    inFlight++;
    peakInFlight = Math.max(peakInFlight, inFlight);
    response.on("close", () => {
      inFlight--;
    });
    const { endpoint } = endpointOf(new URL(request.url ?? "/", "https://localhost").pathname);
    callCounts[endpoint] = (callCounts[endpoint] ?? 0) + 1;
    const rawBody = request.method === "POST" ? await readBody(request) : "";
    const current = spec;
    if (current.mode === "slow" && current.slowMs > 0) await delay(current.slowMs);
    if (response.destroyed) return;
    let reply: Reply;
    if (current.mode === "booting") {
      reply = { status: 502, body: BAD_GATEWAY_PAGE, contentType: "text/html" };
    } else {
      reply = route(current, request, rawBody);
      if (current.mode === "malformed" && reply.status < 300) {
        reply = { ...reply, body: reply.body.slice(0, Math.max(1, Math.floor(reply.body.length / 2))) };
      }
    }
    response.writeHead(reply.status, {
      "content-type": reply.contentType ?? "application/json",
      "content-length": Buffer.byteLength(reply.body),
      server: "nginx",
    });
    if (current.trickle === null) response.end(reply.body);
    else await trickleBody(response, reply.body, current.trickle);
  }

  let certPem = options.tls.certPem;
  const server: Server = createServer(
    { key: options.tls.keyPem, cert: options.tls.certPem },
    (request, response) => {
      handle(request, response).catch((error: unknown) => {
        response.destroy(error instanceof Error ? error : new Error(String(error)));
      });
    },
  );
  server.on("secureConnection", (socket: TLSSocket) => {
    connectionCounts.opened += 1;
    if (socket.isSessionReused()) connectionCounts.resumed += 1;
  });
  server.on("connection", (socket: Socket) => {
    if (spec.mode === "down") {
      socket.resetAndDestroy();
      return;
    }
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === "string")
    throw new Error("simulated CML server has no TCP address");

  return {
    endpoint: `https://127.0.0.1:${address.port}`,
    spec: () => structuredClone(spec),
    update(patch) {
      spec = { ...spec, ...patch };
      if (spec.mode === "down") {
        for (const socket of sockets) socket.resetAndDestroy();
        sockets.clear();
      }
    },
    calls: () => ({ ...callCounts }),
    connections: () => ({ ...connectionCounts }),
    maxInFlight: () => peakInFlight,
    resetCalls() {
      callCounts = {};
      connectionCounts = { opened: 0, resumed: 0 };
      peakInFlight = inFlight;
    },
    revokeTokens: () => tokens.revokeAll(),
    certificatePem: () => certPem,
    replaceTls(tls) {
      server.setSecureContext({ key: tls.keyPem, cert: tls.certPem });
      certPem = tls.certPem;
      // A controller given a new certificate restarts its web server: open connections end with it.
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await closed;
    },
  };
}
