import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Environment variable naming the file the loopback guard records into. */
export const LOOPBACK_GUARD_FILE_ENV = "CML_LOOPBACK_GUARD_FILE";

/** `node` arguments that load the loopback guard before a program's own code. */
export const LOOPBACK_GUARD_NODE_FLAGS: readonly string[] = [
  "--import",
  new URL("./loopback-guard.ts", import.meta.url).href,
];

/** Path of the guard module (for tests that start node themselves). */
export const LOOPBACK_GUARD_MODULE = fileURLToPath(new URL("./loopback-guard.ts", import.meta.url));

/** One line of the guard's file. */
export type LoopbackGuardRecord =
  | { event: "active"; pid: number; entry: string }
  | { event: "blocked"; pid: number; protocol: "tcp" | "udp"; host: string; port: string; stack: string };

/** What the guard recorded: the processes it was active in, and every connection it refused. */
export interface LoopbackGuardReport {
  readonly guardedPids: readonly number[];
  readonly blocked: ReadonlyArray<Extract<LoopbackGuardRecord, { event: "blocked" }>>;
}

/** Reads the guard's file (an absent file: nothing recorded). */
export function readLoopbackGuardReport(file: string): LoopbackGuardReport {
  const records = existsSync(file)
    ? readFileSync(file, "utf8")
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line) as LoopbackGuardRecord)
    : [];
  return {
    guardedPids: records.filter((entry) => entry.event === "active").map((entry) => entry.pid),
    blocked: records.filter((entry) => entry.event === "blocked"),
  };
}
