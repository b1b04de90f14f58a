import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  LOOPBACK_GUARD_FILE_ENV,
  LOOPBACK_GUARD_NODE_FLAGS,
  readLoopbackGuardReport,
} from "./loopback-guard-report.ts";

// Every refused target is 0.0.0.0, which Linux routes to this machine: should the guard let one through, it reaches
// the local server below (and the test fails) instead of leaving the machine.
const PROBE = `
import dgram from "node:dgram";
import net from "node:net";
import tls from "node:tls";
const port = Number(process.argv[1]);
const outcome = async (attempt) => {
  try { await attempt(); return "connected"; } catch (error) { return error?.cause?.name ?? error.name; }
};
const results = {
  loopbackFetch: await outcome(async () => { const r = await fetch("http://127.0.0.1:" + port + "/loopback"); await r.text(); }),
  localhostFetch: await outcome(async () => { const r = await fetch("http://localhost:" + port + "/localhost"); await r.text(); }),
  fetch: await outcome(async () => { const r = await fetch("http://0.0.0.0:" + port + "/fetch"); await r.text(); }),
  netConnect: await outcome(() => new Promise((resolve, reject) => {
    const socket = net.connect({ host: "0.0.0.0", port }, () => { socket.end("GET /net HTTP/1.0\\r\\n\\r\\n"); resolve(); });
    socket.on("error", reject);
  })),
  tlsConnect: await outcome(() => new Promise((resolve, reject) => {
    const socket = tls.connect({ host: "0.0.0.0", port, rejectUnauthorized: false }, resolve);
    socket.on("error", (error) => (error.code === "ECONNRESET" || /SSL|TLS|EPROTO/.test(error.message) ? resolve() : reject(error)));
  })),
  udpSend: await outcome(() => new Promise((resolve, reject) => {
    const socket = dgram.createSocket("udp4");
    socket.send("x", port, "0.0.0.0", (error) => { socket.close(); error ? reject(error) : resolve(); });
  })),
};
process.stdout.write(JSON.stringify(results));
`;

let server: Server;
let port: number;
const paths: string[] = [];
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "loopback-guard-"));
  server = createServer((request, response) => {
    paths.push(request.url ?? "");
    response.end("ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe("loopback guard preload", () => {
  it("lets loopback connections through, refuses and records every other TCP, TLS, fetch and UDP target", async () => {
    const file = join(dir, "guard.jsonl");
    const child = execFile(
      process.execPath,
      [...LOOPBACK_GUARD_NODE_FLAGS, "--input-type=module", "-e", PROBE, String(port)],
      { env: { ...process.env, [LOOPBACK_GUARD_FILE_ENV]: file }, encoding: "utf8", timeout: 20_000 },
    );
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr?.on("data", (chunk: string) => {
      stderr += chunk;
    });
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code, stderr).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      loopbackFetch: "connected",
      localhostFetch: "connected",
      fetch: "NonLoopbackConnectionError",
      netConnect: "NonLoopbackConnectionError",
      tlsConnect: "NonLoopbackConnectionError",
      udpSend: "NonLoopbackConnectionError",
    });
    expect(paths.sort()).toEqual(["/localhost", "/loopback"]);
    const report = readLoopbackGuardReport(file);
    expect(report.guardedPids).toEqual([child.pid]);
    expect(report.blocked.map((entry) => `${entry.protocol} ${entry.host}:${entry.port}`).sort()).toEqual(
      [`tcp 0.0.0.0:${port}`, `tcp 0.0.0.0:${port}`, `tcp 0.0.0.0:${port}`, `udp 0.0.0.0:${port}`].sort(),
    );
    expect(
      report.blocked.every((entry) => entry.pid === child.pid && entry.stack.includes("loopback guard")),
    ).toBe(true);
  });
});
