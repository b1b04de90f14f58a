import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The lock file's name inside the data directory. */
export const LOCK_FILE = "running.lock";

/** The outcome of `lockDataDir`: the lock, or the PID of the live process that holds it. */
export type DataDirLock =
  | { readonly held: true; release(): void }
  | { readonly held: false; readonly pid: number };

interface LockRecord {
  readonly pid: number;
  /** When the holder started (Linux: clock ticks after boot), to tell it from a later process with its PID. */
  readonly startedAt?: string;
}

/** A process's start time from /proc (field 22 of its stat line), or undefined where there is no /proc. */
function startTimeOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ")[19];
  } catch {
    return undefined;
  }
}

function isAlive(record: LockRecord): boolean {
  try {
    process.kill(record.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const startedAt = startTimeOf(record.pid);
  return record.startedAt === undefined || startedAt === undefined || startedAt === record.startedAt;
}

function readRecord(path: string): LockRecord | undefined {
  try {
    const record = JSON.parse(readFileSync(path, "utf8")) as Partial<LockRecord>;
    if (typeof record.pid !== "number") return undefined;
    return {
      pid: record.pid,
      startedAt: typeof record.startedAt === "string" ? record.startedAt : undefined,
    };
  } catch {
    return undefined;
  }
}

/**
 * Takes the data directory for this process, so that two embedded systems never share one JetStream store.
 * A lock left by a process that is gone (killed, crashed) is taken over.
 */
export function lockDataDir(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE);
  const mine: LockRecord = { pid: process.pid, startedAt: startTimeOf(process.pid) };
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      writeFileSync(path, JSON.stringify(mine), { flag: "wx" });
      return {
        held: true,
        release() {
          if (readRecord(path)?.pid === process.pid) rmSync(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = readRecord(path);
    if (holder && isAlive(holder)) return { held: false, pid: holder.pid };
    rmSync(path, { force: true });
  }
  throw new Error(`could not lock ${dataDir}: ${path} keeps coming back`);
}
