/**
 * `npm test`: installs what the tests need (nats-server; Chromium for the dashboard's browser tests), then runs
 * lint, typecheck and every package's tests (unit, integration against a real nats-server, e2e). Every step runs
 * even when an earlier one failed. It lists every skipped suite or test with its reason and every failure, and its
 * last line is always `N passed, M failed, K skipped`. It exits non-zero when a step failed, a test failed, a package
 * with spec files ran no test, or something was skipped without a reason.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { summarizeTestRun, type TestFolder, type TestReport } from "@cml-telemetry/testing/test-run";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const resultsDir = join(root, "test-results");
const failedSteps: string[] = [];
const say = (text: string) => process.stdout.write(`${text}\n`);

/** Runs one step; a failure is recorded and the next step runs all the same. */
function step(
  title: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  cwd: string = root,
): void {
  say(`\n▶ ${title}`);
  const started = Date.now();
  const result = spawnSync(command, args, { cwd, stdio: "inherit", env: { ...process.env, ...env } });
  const seconds = Math.round((Date.now() - started) / 1000);
  if (result.status === 0) {
    say(`✓ ${title} (${seconds} s)`);
  } else {
    say(`✗ ${title} failed (exit ${result.status ?? result.signal}, ${seconds} s)`);
    failedSteps.push(title);
  }
}

function have(binary: string): boolean {
  return (
    spawnSync(
      "sh",
      ["-c", `command -v ${binary} || test -x /usr/sbin/${binary} || test -x /usr/bin/${binary}`],
      {
        stdio: "ignore",
      },
    ).status === 0
  );
}

/** Installs Debian packages with apt when running as root; returns why it could not, or undefined. */
function aptInstall(packages: string[], why: string): string | undefined {
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const command = `apt-get update && apt-get install -y --no-install-recommends ${packages.join(" ")}`;
  if (!isRoot) return `not root; install with: sudo ${command}`;
  say(`installing ${packages.join(", ")} for ${why}…`);
  const result = spawnSync("sh", ["-c", `${command} >/dev/null`], {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  return result.status === 0 ? undefined : `apt-get failed (exit ${result.status}); run: ${command}`;
}

/**
 * The folders whose tests npm test runs, with whether they hold spec files: every workspace, the root e2e, and
 * bench (the benchmarks' own logic).
 */
function testFolders(): TestFolder[] {
  const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { workspaces: string[] };
  const workspaces = manifest.workspaces.flatMap((pattern) => {
    const parent = pattern.replace(/\/\*$/, "");
    return readdirSync(join(root, parent), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(root, parent, entry.name, "package.json")))
      .map((entry) => `${parent}/${entry.name}`);
  });
  const hasSpecs = (folder: string, subfolders: string[]) =>
    subfolders.some((sub) => {
      const dir = join(root, folder, sub);
      return (
        existsSync(dir) &&
        readdirSync(dir, { recursive: true }).some((name) => String(name).endsWith(".spec.ts"))
      );
    });
  return [
    ...workspaces.map((label) => ({ label, hasSpecs: hasSpecs(label, ["src", "test", "e2e"]) })),
    { label: "e2e", hasSpecs: hasSpecs("", ["e2e"]) },
    { label: "bench", hasSpecs: hasSpecs("", ["bench"]) },
  ];
}

function readReports(): TestReport[] {
  if (!existsSync(resultsDir)) return [];
  return readdirSync(resultsDir)
    .filter((name) => name.endsWith(".json"))
    .map((name) => JSON.parse(readFileSync(join(resultsDir, name), "utf8")) as TestReport);
}

say("▶ prerequisites");
if (!have("nats-server")) {
  const problem = aptInstall(["nats-server"], "the integration tests");
  if (problem) {
    say(`✗ nats-server is missing: ${problem}`);
    failedSteps.push("install nats-server");
  }
}
const natsVersion = [process.env.NATS_SERVER_BIN ?? "nats-server", "/usr/sbin/nats-server"]
  .map((binary) => spawnSync(binary, ["--version"], { encoding: "utf8" }).stdout?.trim())
  .find((version) => version);
if (natsVersion) say(`• ${natsVersion}: the integration and end-to-end tests run against this version`);
if (existsSync(join(root, "services/api/e2e")) && !existsSync("/usr/bin/chromium")) {
  const problem = aptInstall(["chromium"], "the dashboard browser tests");
  if (problem) {
    say(
      `✗ Chromium could not be installed (${problem}): the browser tests ${process.env.CI === "true" ? "fail (CI=true)" : "are skipped"}`,
    );
  }
}

rmSync(resultsDir, { recursive: true, force: true });
mkdirSync(resultsDir, { recursive: true });
const turboEnv = { TURBO_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1", CML_TEST_RESULTS_DIR: resultsDir };
step("lint (biome)", "npx", ["biome", "ci", ".", "--colors=off"]);
step("typecheck", "npx", ["turbo", "run", "typecheck", "--continue", "--output-logs=errors-only"], turboEnv);
step("typecheck (bench, scripts, e2e)", "npx", ["tsc", "-p", "tsconfig.json"]);
step(
  "unit and integration tests",
  "npx",
  ["turbo", "run", "test", "--continue", "--concurrency=2", "--output-logs=full"],
  turboEnv,
);
step("benchmark logic tests", "npx", ["vitest", "run"], turboEnv, join(root, "bench"));
step(
  "end-to-end tests (services as processes)",
  "npx",
  ["vitest", "run", "--config", "e2e/vitest.config.ts"],
  turboEnv,
);
const summary = summarizeTestRun({ folders: testFolders(), reports: readReports(), failedSteps });
for (const line of summary.lines) say(line);
process.exitCode = summary.ok ? 0 : 1;
