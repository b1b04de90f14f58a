import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createSupervisor } from "./supervisor.ts";

const OWNER = join(import.meta.dirname, "testing/supervisor-owner.ts");

let dir: string;
const owners: Array<{ owner: ChildProcess; output: () => string }> = [];

/** A failed test may leave an owner and its processes running: stop them by PID. */
afterEach(() => {
  for (const { owner, output } of owners.splice(0)) {
    const pids = JSON.parse(/^ready (\[.*\])$/m.exec(output())?.[1] ?? "[]") as number[];
    for (const pid of [owner.pid, ...pids]) {
      try {
        if (pid !== undefined) process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

function freshDir(): string {
  dir = mkdtempSync(join(tmpdir(), "supervisor-"));
  return dir;
}

/** Starts the owner fixture in a process group of its own, as a shell starts a foreground job in a terminal. */
function startOwner(groups: "own-groups" | "shared-group", mode: "stop-on-sigint" | "exit-at-once") {
  const base = freshDir();
  const owner = spawn(process.execPath, [OWNER, join(base, "logs"), base, groups, mode], {
    detached: true,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  owner.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  owners.push({ owner, output: () => output });
  const exited = new Promise<number | null>((resolve) => owner.once("exit", (code) => resolve(code)));
  return {
    owner,
    exited,
    output: () => output,
    signalsOf: (name: string) =>
      existsSync(join(base, name)) ? readFileSync(join(base, name), "utf8").trim().split("\n") : [],
  };
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("supervisor", () => {
  it("stops every process by PID, last started first, and reports each", async () => {
    const supervisor = createSupervisor({ cwd: process.cwd(), logDir: join(freshDir(), "logs") });
    const script = 'console.log("ready"); setInterval(() => {}, 1000);';
    const first = supervisor.launch("first", process.execPath, ["-e", script], process.env);
    const second = supervisor.launch("second", process.execPath, ["-e", script], process.env);
    await Promise.all([first, second].map((p) => p.waitForLine((line) => line === "ready", 10_000)));
    const stopped: string[] = [];
    await supervisor.stopAll({ onStopped: (name) => stopped.push(name) });
    expect(stopped).toEqual(["second", "first"]);
    expect(first.child.signalCode).toBe("SIGTERM");
    expect(second.child.signalCode).toBe("SIGTERM");
    expect(readFileSync(first.logFile, "utf8")).toBe("ready\n");
  });

  it("with process groups of their own, a Ctrl-C to the owner's group reaches only the owner, which stops them in order", async () => {
    const run = startOwner("own-groups", "stop-on-sigint");
    await until(() => run.output().startsWith("ready"));
    process.kill(-(run.owner.pid as number), "SIGINT");
    expect(await run.exited).toBe(0);
    expect(run.output().split("\n").slice(1, 3)).toEqual(["stopped second", "stopped first"]);
    expect(run.signalsOf("first")).toEqual(["SIGTERM"]);
    expect(run.signalsOf("second")).toEqual(["SIGTERM"]);
  });

  it("without them, the same Ctrl-C reaches every process at once (what own groups prevent)", async () => {
    const run = startOwner("shared-group", "stop-on-sigint");
    await until(() => run.output().startsWith("ready"));
    process.kill(-(run.owner.pid as number), "SIGINT");
    expect(await run.exited).toBe(0);
    // The owner's SIGTERM follows at once; which of the two a process handles first is up to the scheduler.
    expect(run.signalsOf("first")).toContain("SIGINT");
    expect(run.signalsOf("second")).toContain("SIGINT");
  });

  it("sends SIGTERM to what its owner leaves running when the owner exits", async () => {
    const run = startOwner("own-groups", "exit-at-once");
    expect(await run.exited).toBe(0);
    await until(() => run.signalsOf("first").length > 0 && run.signalsOf("second").length > 0, 5_000);
    expect(run.signalsOf("first")).toEqual(["SIGTERM"]);
    expect(run.signalsOf("second")).toEqual(["SIGTERM"]);
  });
});
