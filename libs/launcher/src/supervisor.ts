import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import { join } from "node:path";

/** A process started and owned by a supervisor. */
export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  /** Resolves with the first output line matching `test`; rejects on timeout or exit. */
  waitForLine(test: (line: string) => boolean, timeoutMs: number): Promise<string>;
  /** Output lines seen so far (last 2,000). */
  lines(): readonly string[];
}

export interface SupervisorOptions {
  readonly cwd: string;
  readonly logDir: string;
  /** Also copy output to this writer, prefixed with the process name. */
  readonly echo?: (text: string) => void;
  /** Called when a process exits while the supervisor is not stopping. */
  readonly onUnexpectedExit?: (name: string, code: number | null, signal: NodeJS.Signals | null) => void;
  /**
   * Start every process in a process group of its own (default false). A terminal's Ctrl-C signals the whole
   * foreground group at once; with this, it reaches only the owner, which then stops the processes in order
   * (`stopAll`) instead of all of them stopping at the same time, the server under the services.
   */
  readonly ownProcessGroups?: boolean;
}

/**
 * Starts processes, keeps their logs in files, and stops all of them by PID in reverse order. When the owner exits
 * without stopping them (an uncaught error, `process.exit`), whatever still runs gets SIGTERM.
 */
export interface Supervisor {
  launch(name: string, command: string, args: readonly string[], env: NodeJS.ProcessEnv): ManagedProcess;
  /** Stops one process: SIGTERM (or the given signal), SIGKILL after `graceMs`. */
  stop(processToStop: ManagedProcess, options?: { signal?: NodeJS.Signals; graceMs?: number }): Promise<void>;
  /** Stops every running process, last started first. */
  stopAll(options?: {
    graceMs?: number;
    onStopped?: (name: string, pid: number | undefined) => void;
  }): Promise<void>;
  readonly processes: readonly ManagedProcess[];
}

/** Every running process any supervisor in this process started; what is left when this process exits gets SIGTERM. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function track(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once("exit", () => {
      for (const leftover of live) {
        if (leftover.pid === undefined) continue;
        try {
          process.kill(leftover.pid, "SIGTERM");
        } catch {
          // already gone
        }
      }
    });
  }
  live.add(child);
  child.once("exit", () => live.delete(child));
}

export function createSupervisor(options: SupervisorOptions): Supervisor {
  mkdirSync(options.logDir, { recursive: true });
  const processes: ManagedProcess[] = [];
  const stopping = new Set<ChildProcess>();
  let stoppingAll = false;

  function launch(
    name: string,
    command: string,
    args: readonly string[],
    env: NodeJS.ProcessEnv,
  ): ManagedProcess {
    const logFile = join(options.logDir, `${name}.log`);
    const log = createWriteStream(logFile, { flags: "a" });
    const child = spawn(command, [...args], {
      cwd: options.cwd,
      env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: options.ownProcessGroups ?? false,
    });
    track(child);
    const seen: string[] = [];
    const waiters = new Set<(line: string) => void>();
    let partial = "";
    const onData = (chunk: Buffer) => {
      log.write(chunk);
      const text = chunk.toString();
      options.echo?.(text.replace(/^(?=.)/gm, `[${name}] `));
      partial += text;
      const lines = partial.split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        seen.push(line);
        if (seen.length > 2_000) seen.shift();
        for (const waiter of waiters) waiter(line);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.once("exit", (code, signal) => {
      log.end();
      if (!stoppingAll && !stopping.has(child)) options.onUnexpectedExit?.(name, code, signal);
    });
    const managed: ManagedProcess = {
      name,
      child,
      logFile,
      lines: () => seen,
      waitForLine(test, timeoutMs) {
        const already = seen.find(test);
        if (already !== undefined) return Promise.resolve(already);
        return new Promise((resolve, reject) => {
          const done = (error?: Error, line?: string) => {
            clearTimeout(timer);
            waiters.delete(waiter);
            if (error) reject(error);
            else resolve(line as string);
          };
          const waiter = (line: string) => {
            if (test(line)) done(undefined, line);
          };
          const timer = setTimeout(
            () =>
              done(
                new Error(
                  `${name} not ready within ${timeoutMs / 1000} s; log: ${logFile}\n${seen.slice(-20).join("\n")}`,
                ),
              ),
            timeoutMs,
          );
          waiters.add(waiter);
          void exited.then(() =>
            done(
              new Error(
                `${name} exited (${child.exitCode ?? child.signalCode}) before it was ready; log: ${logFile}\n${seen.slice(-20).join("\n")}`,
              ),
            ),
          );
        });
      },
    };
    processes.push(managed);
    return managed;
  }

  async function stop(
    target: ManagedProcess,
    stopOptions: { signal?: NodeJS.Signals; graceMs?: number } = {},
  ): Promise<void> {
    const { child } = target;
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    stopping.add(child);
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    try {
      process.kill(child.pid, stopOptions.signal ?? "SIGTERM");
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined)
        process.kill(child.pid, "SIGKILL");
    }, stopOptions.graceMs ?? 10_000);
    await exited;
    clearTimeout(timer);
  }

  return {
    launch,
    stop,
    get processes() {
      return processes;
    },
    async stopAll(stopOptions = {}) {
      stoppingAll = true;
      for (const target of [...processes].reverse()) {
        const running = target.child.exitCode === null && target.child.signalCode === null;
        await stop(target, { graceMs: stopOptions.graceMs ?? 10_000 });
        if (running) stopOptions.onStopped?.(target.name, target.child.pid);
      }
    },
  };
}
