/**
 * Whole-system benchmark: how big a fleet one machine watches, and how fast a change in the world reaches the API.
 *
 * For each fleet size (default 1,000 then 5,000 workers in 2 regions, each with a simulated CML controller; 1 in 4
 * has 8 labs of which 2 run) it starts nats-server, the fleet simulator and every service of the launcher's list as
 * processes, at a 60 s collection interval, all under the loopback guard. After the fleet is listed and a warm-up
 * cycle in which every source reported the RUNNING workers, it measures 3 cycles:
 * - CPU (average cores over the cycles) and RSS (highest sum) per process from /proc; the simulator's and
 *   nats-server's apart from the services';
 * - freshness: 150 changes made in the simulator (a lab starts or stops, CPU changes, an instance stops and starts
 *   again), each timed on the simulator's clock and seen on the API's SSE feed; CloudWatch counts from when the
 *   simulator makes the datapoint available (a period after it ends, plus publishing delay);
 * - `POST /workers/:id/refresh?wait=10` on 50 workers, and `GET /workers?limit=200` every 200 ms.
 * Everything it starts is stopped at the end, on an error and on SIGINT/SIGTERM; each phase is bounded in time.
 *
 * Run: npm run bench -- system [--workers 1000,5000] [--cycles 3] [--interval 60] [--profile <dir>]
 * (fewer cycles or a shorter interval only while developing; see bench/system/options.ts).
 * One line per fleet size, the largest last:
 * {"bench":"system","workers":N,"cycles":C,"serviceCpuCores":X,"perServiceCpuCores":{…},"simulatorCpuCores":S,
 *  "rssMbTotal":Y,"freshnessP95Seconds":{"ec2":…,"cloudwatch":…,"cml":…},"refreshWaitP95Ms":…,"apiListP99Ms":…,…}
 */
import { pathToFileURL } from "node:url";
import { LOOPBACK_GUARD_MODULE } from "@cml-telemetry/testing";
import { isMain, printResult } from "./report.ts";
import { parseSystemBenchArgs, SystemBenchUsageError } from "./system/options.ts";
import { runFleetSize, type SystemBenchLine } from "./system/run-fleet-size.ts";

/** Runs every fleet size in turn (smallest first) and prints each one's line as soon as it is measured. */
export async function runSystemBench(args: readonly string[]): Promise<SystemBenchLine[]> {
  const options = parseSystemBenchArgs(args);
  const lines: SystemBenchLine[] = [];
  let stopCurrent: (() => Promise<void>) | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`system bench: ${signal}, stopping everything it started\n`);
    void (stopCurrent?.() ?? Promise.resolve()).finally(() => process.exit(1));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    for (const workers of options.workers) {
      const line = await runFleetSize(workers, options, (stop) => {
        stopCurrent = stop;
      });
      printResult(line);
      lines.push(line);
    }
    return lines;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

if (isMain(import.meta.url)) {
  // This process only talks to the system it starts: the same guard its processes run under refuses anything else.
  await import(pathToFileURL(LOOPBACK_GUARD_MODULE).href);
  try {
    await runSystemBench(process.argv.slice(2));
    process.exit(0);
  } catch (error) {
    process.stderr.write(
      `${error instanceof SystemBenchUsageError ? error.message : ((error as Error).stack ?? String(error))}\n`,
    );
    process.exit(1);
  }
}
