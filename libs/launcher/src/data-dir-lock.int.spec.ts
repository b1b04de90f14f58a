import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LOCK_FILE, lockDataDir } from "./data-dir-lock.ts";

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "data-dir-lock-"));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("lockDataDir", () => {
  it("lets one process hold a data directory, tells anyone else who holds it, and frees it on release", () => {
    const first = lockDataDir(dir);
    expect(first.held).toBe(true);
    expect(lockDataDir(dir)).toEqual({ held: false, pid: process.pid });
    if (first.held) first.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    expect(lockDataDir(dir).held).toBe(true);
  });

  it("refuses a data directory another live process holds, and names it", async () => {
    const source = join(import.meta.dirname, "data-dir-lock.ts");
    const holder = spawn(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `import { lockDataDir } from ${JSON.stringify(source)}; lockDataDir(process.env.DIR); console.log("locked"); setInterval(() => {}, 1000);`,
      ],
      { env: { ...process.env, DIR: dir }, stdio: ["ignore", "pipe", "inherit"] },
    );
    try {
      await new Promise((resolve, reject) => {
        holder.stdout?.on("data", resolve);
        holder.once("exit", reject);
      });
      expect(lockDataDir(dir)).toEqual({ held: false, pid: holder.pid });
    } finally {
      holder.kill("SIGKILL");
      await new Promise((resolve) => holder.once("exit", resolve));
    }
    expect(lockDataDir(dir).held).toBe(true);
  });

  it("takes over a lock whose process is gone", async () => {
    const child = spawn(process.execPath, ["-e", ""]);
    const pid = child.pid as number;
    await new Promise((resolve) => child.once("exit", resolve));
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid }));
    const lock = lockDataDir(dir);
    expect(lock.held).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), "utf8")).pid).toBe(process.pid);
  });

  it("takes over a lock whose PID now belongs to an unrelated process", () => {
    // This process, but started at another time: its PID was reused.
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: process.pid, startedAt: "1" }));
    expect(lockDataDir(dir).held).toBe(true);
  });

  it("takes over an unreadable lock file", () => {
    writeFileSync(join(dir, LOCK_FILE), "not json");
    expect(lockDataDir(dir).held).toBe(true);
  });

  it("does not remove a lock another process took over", () => {
    const lock = lockDataDir(dir);
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: 1 }));
    if (lock.held) lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
  });
});
