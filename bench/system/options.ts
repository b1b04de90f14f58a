/** What `npm run bench -- system` runs: the fleet sizes, how long, and what it samples. */
export interface SystemBenchOptions {
  /** Fleet sizes, smallest first (the largest prints last). */
  readonly workers: readonly number[];
  /** Measured collection cycles after the warm-up cycle. */
  readonly cycles: number;
  /** Collection interval of every source, in seconds (the services' default is 60). */
  readonly intervalSeconds: number;
  /** Changes made in the simulator to measure freshness (split over ec2, cloudwatch and cml). */
  readonly changes: number;
  /** `POST /workers/:id/refresh?wait=10` calls during the measured cycles. */
  readonly refreshes: number;
  /** When set, every service writes a V8 CPU profile there (`--cpu-prof`) and a heap snapshot at the end. */
  readonly profileDir: string | undefined;
}

export const DEFAULT_SYSTEM_BENCH_OPTIONS: SystemBenchOptions = {
  workers: [1_000, 5_000],
  cycles: 3,
  intervalSeconds: 60,
  changes: 150,
  refreshes: 50,
  profileDir: undefined,
};

/** A command-line option the system bench does not accept, or a bad value. */
export class SystemBenchUsageError extends Error {
  override readonly name = "SystemBenchUsageError";
}

export const SYSTEM_BENCH_USAGE = `npm run bench -- system [--workers 1000,5000] [--cycles 3] [--interval 60] [--changes 150] [--refreshes 50] [--profile <dir>]
  --workers    fleet sizes, comma separated or repeated (default 1000,5000); the largest prints last
  --cycles     measured collection cycles after the warm-up cycle (default 3; fewer only while developing)
  --interval   collection interval of every source in seconds (default 60, the services' default)
  --changes    simulator changes whose freshness is measured, split over ec2, cloudwatch and cml (default 150)
  --refreshes  refresh?wait=10 calls during the measured cycles (default 50)
  --profile    write each service's CPU profile (--cpu-prof) and a heap snapshot at the end of the run to <dir>/<workers>/`;

function positiveInt(flag: string, value: string | undefined, min: number, max: number): number {
  const parsed = Number(value);
  if (value === undefined || !Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new SystemBenchUsageError(
      `${flag} needs an integer from ${min} to ${max} (got ${value ?? "nothing"})`,
    );
  }
  return parsed;
}

/** Reads the system bench's options from its arguments (`--flag value` or `--flag=value`). */
export function parseSystemBenchArgs(args: readonly string[]): SystemBenchOptions {
  const options = { ...DEFAULT_SYSTEM_BENCH_OPTIONS };
  let workers: number[] | undefined;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] as string;
    const [flag, inline] = arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg, undefined];
    const value = (): string | undefined => inline ?? args[++index];
    switch (flag) {
      case "--workers":
        workers = [
          ...(workers ?? []),
          ...(value() ?? "").split(",").map((size) => positiveInt("--workers", size.trim(), 10, 100_000)),
        ];
        break;
      case "--cycles":
        options.cycles = positiveInt("--cycles", value(), 1, 20);
        break;
      case "--interval":
        options.intervalSeconds = positiveInt("--interval", value(), 10, 600);
        break;
      case "--changes":
        options.changes = positiveInt("--changes", value(), 3, 3_000);
        break;
      case "--refreshes":
        options.refreshes = positiveInt("--refreshes", value(), 0, 1_000);
        break;
      case "--profile": {
        const dir = value();
        if (!dir) throw new SystemBenchUsageError("--profile needs a directory");
        options.profileDir = dir;
        break;
      }
      default:
        throw new SystemBenchUsageError(`unknown option ${arg}\n${SYSTEM_BENCH_USAGE}`);
    }
  }
  if (workers) options.workers = [...new Set(workers)].sort((a, b) => a - b);
  return options;
}
