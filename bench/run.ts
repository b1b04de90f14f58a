/**
 * Runs benchmarks: `npm run bench -- <name>` runs one; `npm run bench` runs all in sequence and writes
 * bench/results.json with every result line, so the numbers in the docs come from one run, and regenerates the
 * sizing table (docs/operations/sizing.md) from it. A result line is a JSON object with a `bench` key; a bench
 * prints its main result last and may print detail lines before it.
 *
 * Arguments that are not bench names go to the benches named (`npm run bench -- system --workers 10000`).
 * `--save` (with names) puts the named benches' lines into bench/results.json in place of their earlier ones and
 * regenerates the sizing table.
 */
import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readResults, writeSizingDoc } from "./sizing/write-sizing-doc.ts";

const BENCHES = ["jetstream", "aggregate", "collectors", "cml", "history", "api", "system"] as const;
const PER_BENCH_LIMIT_MS = 240_000;
/** The system bench runs whole fleets for minutes each (it bounds every phase itself; this is the backstop). */
const BENCH_LIMIT_MS: Partial<Record<string, number>> = { system: 90 * 60_000 };
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

async function runOne(name: string, args: readonly string[] = []): Promise<Record<string, unknown>[]> {
  const file = join(here, `${name}.ts`);
  if (!existsSync(file)) throw new Error(`unknown benchmark "${name}" (known: ${BENCHES.join(", ")})`);
  process.stderr.write(`\n== bench ${name} ==\n`);
  const limitMs = BENCH_LIMIT_MS[name] ?? PER_BENCH_LIMIT_MS;
  const child = spawn(process.execPath, [file, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  let stdout = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    process.stdout.write(chunk);
  });
  const timer = setTimeout(() => {
    process.stderr.write(`bench ${name} exceeded ${limitMs / 1000} s; stopping it (pid ${child.pid})\n`);
    if (child.pid) process.kill(child.pid, "SIGTERM");
  }, limitMs);
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

/**
 * Writes bench/results.json and regenerates the sizing table from it. `ranAt` is when the last full run ended;
 * `savedAt` names the benches whose lines a later `--save` put in place, with when.
 */
function record(
  results: Record<string, unknown>[],
  failures: string[],
  dates: { ranAt: string; savedAt?: Record<string, string> },
): void {
  const output = join(here, "results.json");
  writeFileSync(output, `${JSON.stringify({ ...dates, results, failures }, null, 2)}\n`);
  process.stderr.write(`\nwrote ${output}\n`);
  process.stderr.write(`wrote ${writeSizingDoc(output)}\n`);
}

const argv = process.argv.slice(2);
const save = argv.includes("--save");
const requested = argv.filter((arg) => (BENCHES as readonly string[]).includes(arg));
const passed = argv.filter((arg) => arg !== "--save" && !(BENCHES as readonly string[]).includes(arg));
if (requested.length === 0 && (passed.length > 0 || save)) {
  throw new Error(`options (${argv.join(" ")}) need a bench name (known: ${BENCHES.join(", ")})`);
}
if (requested.length > 0) {
  const lines: Record<string, unknown>[] = [];
  for (const name of requested) lines.push(...(await runOne(name, passed)));
  if (save) {
    const previous = readResults(join(here, "results.json"));
    const kept = previous.results.filter((line) => !requested.includes(String(line.bench)));
    const failures = previous.failures.filter(
      (failure) => !requested.some((name) => failure.startsWith(`bench ${name} `)),
    );
    const savedAt = { ...previous.savedAt };
    for (const name of requested) savedAt[name] = new Date().toISOString();
    record([...kept, ...lines], failures, { ranAt: previous.ranAt, savedAt });
  }
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
  record(results, failures, { ranAt: new Date().toISOString() });
  if (failures.length > 0) process.exitCode = 1;
}
