import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  createSupervisor,
  type FleetSimReady,
  isReadyLine,
  type ManagedProcess,
  readyLineUrl,
  SERVICE_NAMES,
  type SystemServiceName,
  serviceProcess,
  simulatorEnv,
} from "@cml-telemetry/launcher";
import {
  LOOPBACK_GUARD_FILE_ENV,
  LOOPBACK_GUARD_NODE_FLAGS,
  type LoopbackGuardReport,
  readLoopbackGuardReport,
} from "./loopback-guard/loopback-guard-report.ts";
import { startNatsServer, type TestNatsServer } from "./nats-server.ts";

/** The whole system started as separate processes, configured by env only (for e2e and browser tests). */
export interface RunningSystem {
  readonly natsUrl: string;
  /** PID of the nats-server (its CPU and memory are read from /proc by the system benchmark). */
  readonly natsPid: number;
  readonly apiUrl: string;
  readonly simUrl: string;
  readonly caFile: string | undefined;
  readonly logDir: string;
  readonly env: NodeJS.ProcessEnv;
  /** Processes by name (`<service>` or `<service>#<n>` for extra replicas). */
  process(name: string): ManagedProcess;
  /** Every node process started so far (the simulator, services, replicas, restarts), in start order. */
  processes(): readonly ManagedProcess[];
  /**
   * What the loopback guard every node process runs under recorded: the processes it was active in and every
   * connection to a non-loopback address it refused (none may happen).
   */
  loopbackGuard(): LoopbackGuardReport;
  /** Starts another replica of a service; resolves when it logged ready. */
  startReplica(service: SystemServiceName, extraEnv?: NodeJS.ProcessEnv): Promise<ManagedProcess>;
  /** Kills a process with `signal` (default SIGKILL) and waits for it to exit. */
  kill(name: string, signal?: NodeJS.Signals): Promise<void>;
  /** Starts a killed/stopped service again under the same name; resolves when ready. */
  restart(service: SystemServiceName, extraEnv?: NodeJS.ProcessEnv): Promise<ManagedProcess>;
  /** Stops every process by PID (services, simulator, nats-server) and removes temporary files. */
  stop(): Promise<void>;
}

export interface StartSystemOptions {
  /** Extra environment for every service (e.g. short collection intervals). */
  readonly env?: NodeJS.ProcessEnv;
  /** Environment of the fleet simulator (FLEET_SIM_WORKERS, FLEET_SIM_SEED, …). */
  readonly simEnv?: NodeJS.ProcessEnv;
  /** Services to start (default all seven). */
  readonly services?: readonly SystemServiceName[];
  readonly readyTimeoutMs?: number;
}

const repoRoot = resolve(import.meta.dirname, "../../..");

/**
 * Starts nats-server, the fleet simulator and the services as processes; everything is loopback only, and every
 * node process runs under the loopback guard (a connection anywhere else is refused and recorded).
 */
export async function startSystem(options: StartSystemOptions = {}): Promise<RunningSystem> {
  const workDir = mkdtempSync(join(tmpdir(), "cml-system-"));
  const logDir = join(workDir, "logs");
  const guardFile = join(workDir, "loopback-guard.jsonl");
  const supervisor = createSupervisor({ cwd: repoRoot, logDir });
  const byName = new Map<string, ManagedProcess>();
  let nats: TestNatsServer | undefined;
  const readyTimeout = options.readyTimeoutMs ?? 60_000;
  try {
    nats = await startNatsServer({ storeDir: join(workDir, "nats") });
    const simEnv: NodeJS.ProcessEnv = {
      ...process.env,
      [LOOPBACK_GUARD_FILE_ENV]: guardFile,
      FLEET_SIM_PORT: "0",
      FLEET_SIM_DATA_DIR: join(workDir, "fleet-sim"),
      ...options.simEnv,
    };
    const sim = supervisor.launch(
      "fleet-sim",
      process.execPath,
      [...LOOPBACK_GUARD_NODE_FLAGS, join(repoRoot, "libs/fleet-sim/src/main.ts")],
      simEnv,
    );
    byName.set("fleet-sim", sim);
    const ready = JSON.parse(
      await sim.waitForLine((line) => line.includes('"fleet-sim.ready"'), 30_000),
    ) as FleetSimReady;
    const env: NodeJS.ProcessEnv = {
      ...simulatorEnv({ ...process.env, ...options.env }, ready, simEnv),
      NATS_URL: nats.url,
      [LOOPBACK_GUARD_FILE_ENV]: guardFile,
      // The api binds a free port itself and names it in its ready line (no other process can take it meanwhile).
      API_PORT: "0",
      API_HOST: "127.0.0.1",
      METRICS_PORT: "0",
      LOG_LEVEL: process.env.LOG_LEVEL ?? "info",
      ...options.env,
    };
    const launchService = async (service: SystemServiceName, name: string, extra: NodeJS.ProcessEnv = {}) => {
      const launch = serviceProcess(service, {
        repoRoot,
        env: { ...env, ...extra },
        extraNodeFlags: LOOPBACK_GUARD_NODE_FLAGS,
      });
      const child = supervisor.launch(name, process.execPath, launch.args, launch.env);
      byName.set(name, child);
      await child.waitForLine(isReadyLine, readyTimeout);
      return child;
    };
    await Promise.all((options.services ?? SERVICE_NAMES).map((service) => launchService(service, service)));
    const apiUrl =
      readyLineUrl(byName.get("api")?.lines().find(isReadyLine)) ?? `http://127.0.0.1:${env.API_PORT}`;
    // A restarted api comes back on the same port, so `apiUrl` stays valid.
    env.API_PORT = new URL(apiUrl).port;
    const replicas = new Map<string, number>();
    const system: RunningSystem = {
      natsUrl: nats.url,
      natsPid: nats.pid,
      apiUrl,
      simUrl: ready.url,
      caFile: ready.caFile,
      logDir,
      env,
      process(name) {
        const found = byName.get(name);
        if (!found) throw new Error(`no process named ${name}`);
        return found;
      },
      processes: () => supervisor.processes,
      loopbackGuard: () => readLoopbackGuardReport(guardFile),
      async startReplica(service, extraEnv) {
        const count = (replicas.get(service) ?? 1) + 1;
        replicas.set(service, count);
        return await launchService(service, `${service}#${count}`, extraEnv);
      },
      async kill(name, signal = "SIGKILL") {
        await supervisor.stop(system.process(name), { signal, graceMs: 10_000 });
      },
      async restart(service, extraEnv) {
        return await launchService(service, service, extraEnv);
      },
      async stop() {
        await supervisor.stopAll();
        await nats?.stop();
        rmSync(workDir, { recursive: true, force: true });
      },
    };
    return system;
  } catch (error) {
    await supervisor.stopAll();
    await nats?.stop();
    throw new Error(`system did not start (logs in ${logDir}): ${(error as Error).message}`, {
      cause: error,
    });
  }
}
