/**
 * `npm start`: the whole system on one machine. Starts a local nats-server (data under .data/nats) unless
 * NATS_URL is set, the fleet simulator (simulated EC2 + CloudWatch + Pricing + CML servers) unless AWS is
 * configured, and the seven services. Ctrl-C (or SIGTERM, or closing the terminal) stops every process it started, by PID, in
 * reverse order: the services first, nats-server last. The processes run in process groups of their own, so the
 * terminal's Ctrl-C reaches only this script and not all of them at once.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  createSupervisor,
  type FleetSimReady,
  isReadyLine,
  lockDataDir,
  natsClientPort,
  portIsFree,
  readyLineUrl,
  SERVICE_NAMES,
  serviceProcess,
  simulatorEnv,
} from "@cml-telemetry/launcher";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dataDir = resolve(process.env.CML_DATA_DIR ?? join(root, ".data"));
const logDir = join(dataDir, "logs");
const NATS_INSTALL = "sudo apt-get update && sudo apt-get install -y nats-server";
const verbose = process.argv.includes("--verbose") || process.env.START_VERBOSE === "1";

/** False once the terminal or pipe this script writes to is gone (closed terminal, `| head`). */
let outputOpen = true;

function write(text: string): void {
  if (outputOpen) process.stdout.write(text);
}

function say(line: string): void {
  write(`${line}\n`);
}

let shuttingDown = false;
let releaseDataDir = () => {};
const supervisor = createSupervisor({
  cwd: root,
  logDir,
  ownProcessGroups: true,
  ...(verbose ? { echo: write } : {}),
  onUnexpectedExit: (name, code, signal) => {
    say(`✗ ${name} exited unexpectedly (${signal ?? `code ${code}`}); see ${join(logDir, `${name}.log`)}`);
    void shutdown(1);
  },
});

async function shutdown(code: number): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  say("\nstopping…");
  await supervisor.stopAll({ onStopped: (name, pid) => say(`  stopped ${name} (pid ${pid})`) });
  process.exit(code);
}

function findNatsServer(): string | undefined {
  if (process.env.NATS_SERVER_BIN) return process.env.NATS_SERVER_BIN;
  for (const candidate of ["/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"]) {
    if (existsSync(candidate)) return candidate;
  }
  const probe = spawnSync("sh", ["-c", "command -v nats-server"], { encoding: "utf8" });
  return probe.status === 0 ? probe.stdout.trim() : undefined;
}

async function main(): Promise<void> {
  // Losing the output (EPIPE, EIO) must not crash this script and leave the processes to stop in no order.
  process.stdout.on("error", () => {
    outputOpen = false;
    void shutdown(0);
  });
  // Every way out (shutdown, a refusal, an uncaught error) ends in process exit: the lock is released there.
  process.on("exit", () => releaseDataDir());
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));
  process.on("SIGHUP", () => void shutdown(0));
  let env: NodeJS.ProcessEnv = { ...process.env };
  const lock = lockDataDir(dataDir);
  if (!lock.held) {
    say(
      `✗ cml-telemetry is already running from ${dataDir} (pid ${lock.pid}). Stop it (Ctrl-C in its terminal, or kill ${lock.pid}),\n  or set CML_DATA_DIR to another directory to run a second one.`,
    );
    process.exit(1);
  }
  releaseDataDir = lock.release;
  env.API_PORT ??= "8080";
  const apiPort = Number(env.API_PORT);
  if (apiPort !== 0 && !(await portIsFree(apiPort))) {
    say(`✗ API port ${apiPort} is in use; set API_PORT to a free port (0: any free port).`);
    process.exit(1);
  }
  say(`cml-telemetry: starting the embedded system (logs in ${logDir})`);

  if (!env.NATS_URL) {
    const binary = findNatsServer();
    if (!binary) {
      say(
        `✗ nats-server is not installed. Install it with:\n    ${NATS_INSTALL}\n  or set NATS_URL to an existing server.`,
      );
      process.exit(1);
    }
    // 4222 when free, else any free port: nats-server binds it itself (-p -1) and names it in its log.
    const requested = (await portIsFree(4222)) ? 4222 : -1;
    const store = join(dataDir, "nats");
    mkdirSync(store, { recursive: true });
    const nats = supervisor.launch(
      "nats-server",
      binary,
      ["-js", "-a", "127.0.0.1", "-p", String(requested), "-sd", store],
      env,
    );
    await nats.waitForLine((line) => line.includes("Server is ready"), 20_000);
    const port = natsClientPort(nats.lines().join("\n")) ?? requested;
    env.NATS_URL = `nats://127.0.0.1:${port}`;
    say(`✓ nats-server ready at ${env.NATS_URL} (JetStream store ${store})`);
  } else {
    say(`• using NATS at ${env.NATS_URL}`);
  }

  const awsConfigured = Boolean(
    env.AWS_ENDPOINT_URL_EC2 ||
      env.AWS_ENDPOINT_URL_CLOUDWATCH ||
      env.AWS_ENDPOINT_URL_PRICING ||
      env.AWS_ACCESS_KEY_ID ||
      env.AWS_PROFILE,
  );
  let simUrl: string | undefined;
  if (!awsConfigured) {
    // The preferred port when free, else 0: the simulator binds any free port and names it in its ready line.
    const simPort = Number(env.FLEET_SIM_PORT ?? 4566);
    const simEnv: NodeJS.ProcessEnv = {
      ...env,
      FLEET_SIM_PORT: String(simPort !== 0 && (await portIsFree(simPort)) ? simPort : 0),
      FLEET_SIM_DATA_DIR: join(dataDir, "fleet-sim"),
      // One worker's class ends two minutes in, so the demo shows a worker going idle (and the idle policy at work).
      FLEET_SIM_LABS_END_SECONDS: env.FLEET_SIM_LABS_END_SECONDS ?? "120",
    };
    const sim = supervisor.launch(
      "fleet-sim",
      process.execPath,
      [join(root, "libs/fleet-sim/src/main.ts")],
      simEnv,
    );
    const ready = JSON.parse(
      await sim.waitForLine((line) => line.includes('"fleet-sim.ready"'), 30_000),
    ) as FleetSimReady;
    simUrl = ready.url;
    env = simulatorEnv(env, ready, simEnv);
    // A livelier default for the demo fleet; every value can be overridden from the environment.
    env.COLLECT_INTERVAL_EC2_SECONDS ??= "30";
    env.COLLECT_INTERVAL_CML_SECONDS ??= "30";
    env.DISCOVERY_INTERVAL_SECONDS ??= "60";
    // The simulated fleet shows the idle auto-stop policy at work without stopping anything: a worker goes idle
    // five minutes after its class ends, and the policy records the stop it would make (DryRun).
    env.IDLE_THRESHOLD_MINUTES ??= "5";
    env.IDLE_STOP_MODE ??= "dry-run";
    say(`✓ fleet simulator ready at ${ready.url} (${ready.workers} simulated CML workers)`);
  } else {
    say("• using AWS as configured in the environment (no fleet simulator)");
  }

  // The embedded history store is rebuilt from CML_TELEMETRY, so keep telemetry as long as history.
  if (!env.MONGODB_URI) env.TELEMETRY_RETENTION_DAYS ??= env.HISTORY_RETENTION_DAYS ?? "30";
  let api = `http://127.0.0.1:${apiPort}`;
  await Promise.all(
    SERVICE_NAMES.map(async (service) => {
      const launch = serviceProcess(service, { repoRoot: root, env });
      const child = supervisor.launch(service, process.execPath, launch.args, launch.env);
      const url = readyLineUrl(await child.waitForLine(isReadyLine, 60_000));
      // The api's ready line names the port it listens on (its own pick with API_PORT=0).
      if (service === "api" && url) api = `http://127.0.0.1:${new URL(url).port || 80}`;
      say(`✓ ${service} ready`);
    }),
  );

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
