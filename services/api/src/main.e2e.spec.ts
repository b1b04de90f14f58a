import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startNatsServer, stopProcess, type TestNatsServer } from "@cml-telemetry/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const MAIN = join(dirname(fileURLToPath(import.meta.url)), "main.ts");

let nats: TestNatsServer;

function startMain(env: Record<string, string>): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function until(predicate: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  nats = await startNatsServer();
});

afterAll(async () => {
  await nats?.stop();
});

describe("api main.ts as a process", () => {
  it("logs ready with the URL, binds loopback without tokens (warning), serves, and exits 0 on SIGTERM", async () => {
    const run = startMain({
      NATS_URL: nats.url,
      API_PORT: "0",
      // Asked for every interface without tokens: still loopback only.
      API_HOST: "0.0.0.0",
      LOG_LEVEL: "info",
    });
    try {
      await until(() => run.output().includes('"msg":"api ready"'), "api ready");
      // API_PORT=0: the api binds a free port and names it in the ready line.
      const url = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(run.output())?.[1];
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/);
      expect(run.output()).toContain("authentication is OFF");
      expect(run.output()).toContain('"requestedHost":"0.0.0.0"');
      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(200);
      const events = await fetch(`${url}/api/v1/events`);
      expect(events.status).toBe(200);
      const reader = events.body?.getReader();
      await reader?.read();
      run.child.kill("SIGTERM");
      expect(await run.exited).toBe(0);
      expect(run.output()).toContain('"reason":"server_shutdown"');
    } finally {
      await stopProcess(run.child);
    }
  });

  it("refuses bad config with a clear message and a non-zero exit", async () => {
    const run = startMain({ NATS_URL: nats.url, API_PORT: "not-a-port" });
    const code = await run.exited;
    expect(code).not.toBe(0);
    expect(run.output()).toContain("API_PORT");
  });
});
