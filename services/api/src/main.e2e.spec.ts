import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startNatsServer, stopProcess, type TestNatsServer } from "@cml-telemetry/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeOf, floodWithSubscribes, openSocket } from "./testing/ws-client.ts";

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

/** Resident set size of a process, in MiB (Linux `/proc`). */
function rssMiB(pid: number): number {
  const line = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!line?.[1]) throw new Error(`no VmRSS for process ${pid}`);
  return Number(line[1]) / 1024;
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

  it("closes a WebSocket client that sends 10,000 subscribes with a reason, and the api's RSS stays flat", async () => {
    const token = "ws-flood-viewer-token";
    const run = startMain({
      NATS_URL: nats.url,
      API_PORT: "0",
      API_HOST: "127.0.0.1",
      API_TOKENS: `flood:viewer:${createHash("sha256").update(token).digest("hex")}`,
      LOG_LEVEL: "info",
    });
    try {
      await until(() => /"url":"http:\/\/127\.0\.0\.1:\d+"/.test(run.output()), "api ready");
      const url = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(run.output())?.[1] ?? "";
      const wsUrl = `${url.replace("http", "ws")}/api/v1/ws?access_token=${token}`;
      // A first client loads what any WebSocket client needs, so the baseline is the api at work, not cold.
      const warm = await openSocket(wsUrl);
      warm.send(JSON.stringify({ action: "subscribe", worker_id: randomUUID() }));
      warm.close();
      await closeOf(warm);
      const pid = run.child.pid as number;
      const before = rssMiB(pid);

      const { code, reason, receivedBytes } = await floodWithSubscribes(await openSocket(wsUrl), 10_000);
      const grownMiB = rssMiB(pid) - before;
      expect(code).toBe(1008);
      expect(reason).toMatch(/subscription/);
      expect(receivedBytes).toBeLessThan(1_048_576);
      expect(grownMiB, `api RSS grew ${grownMiB.toFixed(1)} MiB`).toBeLessThan(20);
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
