/**
 * `npm test`: installs what the tests need (nats-server; Chromium for the dashboard's browser tests), then
 * runs lint, typecheck and every package's tests (unit, integration against a real nats-server, e2e), and
 * prints one summary line.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const resultsDir = join(root, "test-results");

function step(title: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): void {
  process.stdout.write(`\n▶ ${title}\n`);
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
  if (result.status !== 0) {
    process.stdout.write(`\n✗ ${title} failed (exit ${result.status ?? result.signal})\n`);
    summarize();
    process.exit(result.status ?? 1);
  }
}

function have(binary: string): boolean {
  return (
    spawnSync("sh", ["-c", `command -v ${binary} || test -x /usr/sbin/${binary}`], { stdio: "ignore" })
      .status === 0
  );
}

function aptInstall(packages: string[], why: string): void {
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const command = `apt-get update && apt-get install -y --no-install-recommends ${packages.join(" ")}`;
  if (!isRoot) {
    process.stdout.write(`✗ ${why} needs ${packages.join(", ")}. Install with: sudo ${command}\n`);
    process.exit(1);
  }
  process.stdout.write(`installing ${packages.join(", ")} for ${why}…\n`);
  const result = spawnSync("sh", ["-c", `${command} >/dev/null`], { stdio: ["ignore", "ignore", "inherit"] });
  if (result.status !== 0) {
    process.stdout.write(`✗ could not install ${packages.join(", ")}; run: ${command}\n`);
    process.exit(1);
  }
}

/** Sums the vitest JSON reports of every package into one line. */
function summarize(): void {
  if (!existsSync(resultsDir)) return;
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const file of readdirSync(resultsDir).filter((name) => name.endsWith(".json"))) {
    try {
      const report = JSON.parse(readFileSync(join(resultsDir, file), "utf8")) as {
        numPassedTests?: number;
        numFailedTests?: number;
        numPendingTests?: number;
        numTodoTests?: number;
      };
      passed += report.numPassedTests ?? 0;
      failed += report.numFailedTests ?? 0;
      skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
    } catch {
      process.stdout.write(`(unreadable report ${file})\n`);
    }
  }
  process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
}

if (!have("nats-server")) aptInstall(["nats-server"], "the integration tests");
if (!have("chromium") && existsSync(join(root, "services/api/e2e")))
  aptInstall(["chromium"], "the dashboard browser tests");

rmSync(resultsDir, { recursive: true, force: true });
mkdirSync(resultsDir, { recursive: true });
const turboEnv = { TURBO_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1", CML_TEST_RESULTS_DIR: resultsDir };
step("lint (biome)", "npx", ["biome", "ci", ".", "--colors=off"]);
step("typecheck", "npx", ["turbo", "run", "typecheck", "--output-logs=errors-only"], turboEnv);
step("typecheck (bench, scripts)", "npx", ["tsc", "-p", "tsconfig.json"]);
step(
  "unit and integration tests",
  "npx",
  ["turbo", "run", "test", "--concurrency=1", "--output-logs=full"],
  turboEnv,
);
step(
  "end-to-end tests (services as processes)",
  "npx",
  ["vitest", "run", "--config", "e2e/vitest.config.ts"],
  turboEnv,
);
summarize();
