import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { natsClientPort } from "@cml-telemetry/launcher";
import { ensureNatsServer } from "./ensure-nats-server.ts";

/** A real `nats-server -js` started for a test file or a benchmark. */
export interface TestNatsServer {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly storeDir: string;
  /** Stops the server by its PID and removes the temporary store. */
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `nats-server -js` on loopback with a temporary store; resolves once it accepts clients. Without `port`, the
 * server binds a free port itself (`-p -1`) and reports it, so no other process can take the port in between.
 */
export async function startNatsServer(
  options: { storeDir?: string; port?: number } = {},
): Promise<TestNatsServer> {
  const binary = ensureNatsServer();
  const ownsStore = options.storeDir === undefined;
  const storeDir = options.storeDir ?? mkdtempSync(join(tmpdir(), "cml-nats-"));
  const requested = options.port ?? -1;
  const child = spawn(binary, ["-js", "-a", "127.0.0.1", "-p", String(requested), "-sd", storeDir], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-8000);
  });
  const portText = requested === -1 ? "a free port" : `port ${requested}`;
  await waitForReady(child, () => log, portText);
  const port = natsClientPort(log) ?? requested;
  if (port <= 0) {
    await stopProcess(child);
    throw new Error(`nats-server did not report its client port:\n${log}`);
  }
  const pid = child.pid ?? -1;
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    pid,
    storeDir,
    async stop() {
      await stopProcess(child);
      if (ownsStore) rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

async function waitForReady(child: ChildProcess, log: () => string, port: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`nats-server exited (${child.exitCode}) on ${port}:\n${log()}`);
    if (log().includes("Server is ready")) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await stopProcess(child);
  throw new Error(`nats-server did not become ready on ${port} within 15 s:\n${log()}`);
}

/** Sends SIGTERM to a child by PID, then SIGKILL if it has not exited within 5 s. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  process.kill(child.pid, "SIGTERM");
  const timer = setTimeout(() => {
    if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, "SIGKILL");
  }, 5_000);
  await exited;
  clearTimeout(timer);
}
