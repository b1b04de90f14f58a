import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { healthPort } from "./health-port.ts";

const SCRIPT = resolve(dirname(fileURLToPath(import.meta.url)), "healthcheck.ts");
const run = promisify(execFile);

async function probe(env: Record<string, string>): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [SCRIPT], {
      env: { PATH: process.env.PATH ?? "", ...env },
      timeout: 10_000,
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: `${failed.stdout ?? ""}${failed.stderr ?? ""}` };
  }
}

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
  server = undefined;
});

async function serveHealth(status: number): Promise<number> {
  server = createServer((request, response) => {
    response.writeHead(request.url === "/healthz" ? status : 404);
    response.end();
  });
  const listening = server;
  await new Promise<void>((done) => listening.listen(0, "127.0.0.1", done));
  return (listening.address() as AddressInfo).port;
}

describe("healthPort", () => {
  it("uses API_PORT for the api and METRICS_PORT elsewhere", () => {
    expect(healthPort("api", {})).toBe(8080);
    expect(healthPort("api", { API_PORT: "9000" })).toBe(9000);
    expect(healthPort("collector-ec2", {})).toBe(9464);
    expect(healthPort("metrics-history", { METRICS_PORT: "0" })).toBe(0);
  });
});

describe("healthcheck script", () => {
  it("exits 0 when /healthz answers 200", async () => {
    const port = await serveHealth(200);
    expect(await probe({ SERVICE: "worker-aggregate", METRICS_PORT: String(port) })).toMatchObject({
      code: 0,
    });
  });

  it("exits 1 when /healthz fails or nothing listens", async () => {
    const port = await serveHealth(500);
    expect((await probe({ SERVICE: "api", API_PORT: String(port) })).code).toBe(1);
    expect((await probe({ SERVICE: "collector-cml", METRICS_PORT: "1" })).code).toBe(1);
  });

  it("exits 1 with a clear message for a bad SERVICE or config", async () => {
    const unknown = await probe({ SERVICE: "nope" });
    expect(unknown).toMatchObject({ code: 1 });
    expect(unknown.output).toContain('SERVICE must name a service, got "nope"');
    const bad = await probe({ SERVICE: "collector-cml", METRICS_PORT: "x" });
    expect(bad.output).toContain("METRICS_PORT: expected an integer between 0 and 65535");
  });

  it("exits 0 when the health endpoint is disabled", async () => {
    expect(await probe({ SERVICE: "collector-ec2", METRICS_PORT: "0" })).toMatchObject({ code: 0 });
  });

  it("exits 0 for an api on a port chosen at start (API_PORT=0), saying why it did not probe", async () => {
    const result = await probe({ SERVICE: "api", API_PORT: "0" });
    expect(result.code).toBe(0);
    expect(result.output).toContain("API_PORT=0");
  });
});
