/**
 * `npm start`: the whole system on one machine. Starts a local nats-server (data under .data/nats) unless
 * NATS_URL is set, the fleet simulator (simulated EC2 + CloudWatch + CML servers) unless AWS is configured,
 * and the six services. Ctrl-C stops every process it started, by PID.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dataDir = resolve(process.env.CML_DATA_DIR ?? join(root, ".data"));
const logDir = join(dataDir, "logs");
const SERVICES = [
  "worker-aggregate",
  "metrics-history",
  "collector-ec2",
  "collector-cloudwatch",
  "collector-cml",
  "api",
] as const;
const NATS_INSTALL = "sudo apt-get update && sudo apt-get install -y nats-server";
const verbose = process.argv.includes("--verbose") || process.env.START_VERBOSE === "1";

interface Managed {
  readonly name: string;
  readonly child: ChildProcess;
}
const managed: Managed[] = [];
let shuttingDown = false;

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function portIsFree(port: number): Promise<boolean> {
  return await new Promise((resolvePort) => {
    const server = createServer();
    server.once("error", () => resolvePort(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolvePort(true)));
  });
}

async function pickPort(preferred: number): Promise<number> {
  if (await portIsFree(preferred)) return preferred;
  return await new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

function findNatsServer(): string | undefined {
  if (process.env.NATS_SERVER_BIN) return process.env.NATS_SERVER_BIN;
  for (const candidate of ["/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"]) {
    if (existsSync(candidate)) return candidate;
  }
  const probe = spawnSync("sh", ["-c", "command -v nats-server"], { encoding: "utf8" });
  return probe.status === 0 ? probe.stdout.trim() : undefined;
}

/** Spawns a managed child; its output goes to .data/logs/<name>.log (and the console with --verbose). */
function launch(
  name: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  onLine?: (line: string) => void,
): ChildProcess {
  const log = createWriteStream(join(logDir, `${name}.log`), { flags: "a" });
  const child = spawn(command, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  managed.push({ name, child });
  let pending = "";
  const handle = (chunk: Buffer) => {
    log.write(chunk);
    if (verbose) process.stdout.write(chunk.toString().replace(/^(?=.)/gm, `[${name}] `));
    pending += chunk.toString();
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) onLine?.(line);
  };
  child.stdout?.on("data", handle);
  child.stderr?.on("data", handle);
  child.once("exit", (code, signal) => {
    log.end();
    if (!shuttingDown) {
      say(`✗ ${name} exited unexpectedly (${signal ?? `code ${code}`}); see ${join(logDir, `${name}.log`)}`);
      void shutdown(1);
    }
  });
  return child;
}

async function waitForLine(
  name: string,
  test: (line: string) => boolean,
  timeoutMs: number,
  child: ChildProcess,
): Promise<string> {
  return await new Promise((resolveLine, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(`${name} was not ready within ${timeoutMs / 1000} s; see ${join(logDir, `${name}.log`)}`),
        ),
      timeoutMs,
    );
    const listener = (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n")) {
        if (test(line)) {
          clearTimeout(timer);
          child.stdout?.off("data", listener);
          child.stderr?.off("data", listener);
          resolveLine(line);
          return;
        }
      }
    };
    child.stdout?.on("data", listener);
    child.stderr?.on("data", listener);
  });
}

async function shutdown(code: number): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  say("\nstopping…");
  // Services first, then the simulator, then NATS (reverse start order).
  for (const { name, child } of [...managed].reverse()) {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) continue;
    const exited = new Promise<void>((resolveExit) => child.once("exit", () => resolveExit()));
    try {
      process.kill(child.pid, "SIGTERM");
    } catch {
      continue;
    }
    const timer = setTimeout(() => {
      if (child.exitCode === null && child.pid !== undefined) {
        say(`  ${name} (pid ${child.pid}) did not stop in 10 s; killing it`);
        process.kill(child.pid, "SIGKILL");
      }
    }, 10_000);
    await exited;
    clearTimeout(timer);
    say(`  stopped ${name} (pid ${child.pid})`);
  }
  process.exit(code);
}

async function main(): Promise<void> {
  mkdirSync(logDir, { recursive: true });
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));
  const env: NodeJS.ProcessEnv = { ...process.env };
  say("cml-telemetry: starting the embedded system (logs in .data/logs)");

  if (!env.NATS_URL) {
    const binary = findNatsServer();
    if (!binary) {
      say(
        `✗ nats-server is not installed. Install it with:\n    ${NATS_INSTALL}\n  or set NATS_URL to an existing server.`,
      );
      process.exit(1);
    }
    const port = await pickPort(4222);
    mkdirSync(join(dataDir, "nats"), { recursive: true });
    const nats = launch(
      "nats-server",
      binary,
      ["-js", "-a", "127.0.0.1", "-p", String(port), "-sd", join(dataDir, "nats")],
      env,
    );
    await waitForLine("nats-server", (line) => line.includes("Server is ready"), 20_000, nats);
    env.NATS_URL = `nats://127.0.0.1:${port}`;
    say(`✓ nats-server ready at ${env.NATS_URL} (JetStream store ${join(dataDir, "nats")})`);
  } else {
    say(`• using NATS at ${env.NATS_URL}`);
  }

  const awsConfigured = Boolean(
    env.AWS_ENDPOINT_URL_EC2 || env.AWS_ENDPOINT_URL_CLOUDWATCH || env.AWS_ACCESS_KEY_ID || env.AWS_PROFILE,
  );
  let simUrl: string | undefined;
  if (!awsConfigured) {
    const port = await pickPort(Number(env.FLEET_SIM_PORT ?? 4566));
    const simEnv: NodeJS.ProcessEnv = {
      ...env,
      FLEET_SIM_PORT: String(port),
      FLEET_SIM_DATA_DIR: join(dataDir, "fleet-sim"),
    };
    const sim = launch("fleet-sim", process.execPath, [join(root, "libs/fleet-sim/src/main.ts")], simEnv);
    const ready = JSON.parse(
      await waitForLine("fleet-sim", (line) => line.includes('"fleet-sim.ready"'), 30_000, sim),
    ) as { url: string; caFile?: string; workers: number; regions?: string[] };
    simUrl = ready.url;
    env.AWS_ENDPOINT_URL_EC2 = ready.url;
    env.AWS_ENDPOINT_URL_CLOUDWATCH = ready.url;
    env.AWS_ACCESS_KEY_ID ??= "fleet-sim";
    env.AWS_SECRET_ACCESS_KEY ??= "fleet-sim";
    env.AWS_REGION ??= "us-east-1";
    env.CML_REGIONS ??= (ready.regions ?? ["us-east-1", "eu-west-1"]).join(",");
    env.CML_USERNAME ??= simEnv.FLEET_SIM_CML_USERNAME ?? "admin";
    env.CML_PASSWORD ??= simEnv.FLEET_SIM_CML_PASSWORD ?? "fleet-sim-password";
    if (ready.caFile) env.CML_CA_FILE ??= ready.caFile;
    // A livelier default for the demo fleet; every value can be overridden from the environment.
    env.COLLECT_INTERVAL_EC2_SECONDS ??= "30";
    env.COLLECT_INTERVAL_CML_SECONDS ??= "30";
    env.DISCOVERY_INTERVAL_SECONDS ??= "60";
    say(`✓ fleet simulator ready at ${ready.url} (${ready.workers} simulated CML workers)`);
  } else {
    say("• using AWS as configured in the environment (no fleet simulator)");
  }

  env.API_PORT ??= "8080";
  const apiPort = Number(env.API_PORT);
  if (!(await portIsFree(apiPort))) {
    say(`✗ API port ${apiPort} is in use; set API_PORT to a free port.`);
    await shutdown(1);
    return;
  }
  await Promise.all(
    SERVICES.map(async (service) => {
      const child = launch(service, process.execPath, [join(root, "services", service, "src/main.ts")], env);
      await waitForLine(service, (line) => /"msg":"ready"/.test(line), 60_000, child);
      say(`✓ ${service} ready`);
    }),
  );

  const api = `http://127.0.0.1:${apiPort}`;
  say("");
  say("cml-telemetry is running");
  say(`  Dashboard     ${api}/`);
  say(`  API           ${api}/api/v1/workers`);
  say(`  API docs      ${api}/api/v1/docs`);
  say(`  Live events   ${api}/api/v1/events   (Server-Sent Events)`);
  say(`  NATS          ${env.NATS_URL}`);
  if (simUrl) {
    say(`  Fleet sim     ${simUrl}/_sim/fleet`);
    say(`  Change it     FLEET_SIM_URL=${simUrl} npm run sim -w libs/fleet-sim -- help`);
  }
  say(`  Logs          ${logDir}/<service>.log   (npm start -- --verbose streams them here)`);
  say("Press Ctrl-C to stop everything.");
}

main().catch(async (error: unknown) => {
  say(`✗ ${(error as Error).message}`);
  await shutdown(1);
});
