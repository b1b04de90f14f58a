/**
 * The README's start command: `npm start` (scripts/start.ts) brings up nats-server, the fleet simulator and the six
 * services, refuses a second start on the same data directory, and stops everything in order on the Ctrl-C a
 * terminal sends (SIGINT to its foreground process group).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { LOCK_FILE, SERVICE_NAMES } from "@cml-telemetry/launcher";
import { waitFor } from "@cml-telemetry/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listWorkers } from "./helpers.ts";

const START = resolve(import.meta.dirname, "../scripts/start.ts");

interface StartRun {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  output(): string;
}

let dataDir: string;
let env: NodeJS.ProcessEnv;
let first: StartRun;

/** Runs the start script in a process group of its own, as a shell runs a foreground job in a terminal. */
function runStart(): StartRun {
  const child = spawn(process.execPath, [START], { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const append = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  return { child, exited, output: () => output };
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "cml-start-"));
  env = {
    ...process.env,
    CML_DATA_DIR: dataDir,
    // Ports the processes choose themselves (named in their ready lines), so nothing else can take them meanwhile.
    API_PORT: "0",
    FLEET_SIM_PORT: "0",
    METRICS_PORT: "0",
  };
  for (const key of ["NATS_URL", "AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL_CLOUDWATCH", "AWS_ACCESS_KEY_ID"])
    delete env[key];
  first = runStart();
  const deadline = Date.now() + 110_000;
  while (!first.output().includes("Press Ctrl-C to stop everything.")) {
    if (first.child.exitCode !== null || Date.now() > deadline)
      throw new Error(`the start script did not get ready; its output:\n${first.output()}`);
    await new Promise((done) => setTimeout(done, 200));
  }
});

afterAll(async () => {
  // A failed test may leave it running: SIGTERM makes it stop what it started, in order.
  if (first && first.child.exitCode === null && first.child.signalCode === null) {
    first.child.kill("SIGTERM");
    await first.exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe("npm start", () => {
  it("starts nats-server, the fleet simulator and the seven services, and serves the fleet", async () => {
    const ready = first.output().match(/^✓ .+ ready/gm) ?? [];
    expect(ready).toHaveLength(2 + SERVICE_NAMES.length);
    const apiUrl = /^ {2}Dashboard {5}(http:\/\/127\.0\.0\.1:\d+)\/$/m.exec(first.output())?.[1] ?? "";
    expect(apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/);
    await waitFor(async () => (await listWorkers(apiUrl)).length > 0, {
      timeoutMs: 60_000,
      intervalMs: 500,
      what: "discovered workers",
    });
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(true);
  });

  it("refuses a second start on the same data directory, naming the running one", async () => {
    const second = runStart();
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(
      `cml-telemetry is already running from ${dataDir} (pid ${first.child.pid})`,
    );
    expect(second.output()).not.toMatch(/^✓/m);
  });

  it("stops everything on a terminal's Ctrl-C, services first and nats-server last", async () => {
    process.kill(-(first.child.pid as number), "SIGINT");
    expect(await first.exited).toBe(0);
    const stopped = [...first.output().matchAll(/^ {2}stopped (\S+) \(pid (\d+)\)$/gm)].map(
      ([, name, pid]) => ({
        name: name as string,
        pid: Number(pid),
      }),
    );
    expect(stopped.map(({ name }) => name).sort()).toEqual(
      [...SERVICE_NAMES, "fleet-sim", "nats-server"].sort(),
    );
    expect(stopped.slice(-2).map(({ name }) => name)).toEqual(["fleet-sim", "nats-server"]);
    for (const { name, pid } of stopped) expect(isRunning(pid), name).toBe(false);
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
  });
});
