/**
 * Runs benchmarks: `npm run bench -- <name>` runs one; `npm run bench` runs all in sequence and writes
 * bench/results.json with every result line, so the numbers in the docs come from one run. A result line is a JSON
 * object with a `bench` key; a bench prints its main result last and may print detail lines before it.
 */
import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const BENCHES = ["jetstream", "aggregate", "collectors", "cml", "history", "api"] as const;
const PER_BENCH_LIMIT_MS = 240_000;
const here = dirname(fileURLToPath(import.meta.url));

/** The result lines of a bench's output: JSON objects with a `bench` key, in order. */
function resultLines(stdout: string): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  for (const line of stdout.split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      const parsed = JSON.parse(line) as unknown;
      if (typeof parsed === "object" && parsed !== null && "bench" in parsed) {
        lines.push(parsed as Record<string, unknown>);
      }
    } catch {
      // A log line that only looks like JSON.
    }
  }
  return lines;
}

async function runOne(name: string): Promise<Record<string, unknown>[]> {
  const file = join(here, `${name}.ts`);
  if (!existsSync(file)) throw new Error(`unknown benchmark "${name}" (known: ${BENCHES.join(", ")})`);
  process.stderr.write(`\n== bench ${name} ==\n`);
  const child = spawn(process.execPath, [file], { stdio: ["ignore", "pipe", "inherit"] });
  let stdout = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    process.stdout.write(chunk);
  });
  const timer = setTimeout(() => {
    process.stderr.write(
      `bench ${name} exceeded ${PER_BENCH_LIMIT_MS / 1000} s; stopping it (pid ${child.pid})\n`,
    );
    if (child.pid) process.kill(child.pid, "SIGTERM");
  }, PER_BENCH_LIMIT_MS);
  const code = await new Promise<number>((resolve) =>
    child.once("exit", (exitCode) => resolve(exitCode ?? 1)),
  );
  clearTimeout(timer);
  const last = stdout.trim().split("\n").at(-1) ?? "";
  if (code !== 0) throw new Error(`bench ${name} failed with exit code ${code}`);
  const lines = resultLines(stdout);
  if (lines.length === 0 || !last.startsWith("{")) {
    throw new Error(`bench ${name} did not end with a JSON line (got: ${last.slice(0, 200)})`);
  }
  return lines;
}

const requested = process.argv.slice(2);
if (requested.length > 0) {
  for (const name of requested) await runOne(name);
} else {
  const results: Record<string, unknown>[] = [];
  const failures: string[] = [];
  for (const name of BENCHES) {
    try {
      results.push(...(await runOne(name)));
    } catch (error) {
      failures.push((error as Error).message);
      process.stderr.write(`${(error as Error).message}\n`);
    }
  }
  const output = join(here, "results.json");
  writeFileSync(
    output,
    `${JSON.stringify({ ranAt: new Date().toISOString(), results, failures }, null, 2)}\n`,
  );
  process.stderr.write(`\nwrote ${output}\n`);
  if (failures.length > 0) process.exitCode = 1;
}
