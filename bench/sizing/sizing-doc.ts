/** The system bench's line for one fleet size, as bench/results.json holds it (the fields the table reads). */
export interface SystemLine {
  readonly bench: "system";
  readonly workers: number;
  readonly cycles: number;
  readonly intervalSeconds: number;
  readonly serviceCpuCores: number;
  readonly perServiceCpuCores: Readonly<Record<string, number | null>>;
  readonly simulatorCpuCores: number | null;
  readonly natsCpuCores?: number | null;
  readonly rssMbTotal: number;
  readonly perServiceRssMb?: Readonly<Record<string, number | null>>;
  readonly natsRssMb?: number | null;
  readonly freshnessP95Seconds: Readonly<Record<"ec2" | "cloudwatch" | "cml", number | null>>;
  readonly freshnessP50Seconds?: Readonly<Record<"ec2" | "cloudwatch" | "cml", number | null>>;
  readonly refreshWaitP95Ms: number | null;
  readonly apiListP99Ms: number | null;
  readonly labs?: string;
  readonly loadAverage?: readonly number[];
  readonly machine?: { readonly cpus: number; readonly model: string; readonly memoryGb: number };
  readonly measuredAt?: string;
  readonly nodeVersion?: string;
}

/** The goals at 5,000 workers (what the table marks as met or missed). */
export const SIZING_GOALS = {
  workers: 5_000,
  serviceCpuCores: 0.5,
  rssMbTotal: 1_536,
  /** Seconds beyond the collection interval. */
  freshnessBeyondIntervalSeconds: 5,
  refreshWaitP95Ms: 3_000,
  apiListP99Ms: 50,
} as const;

/** The system lines of a results file, smallest fleet first. */
export function systemLines(results: readonly Record<string, unknown>[]): SystemLine[] {
  return results
    .filter((line): line is Record<string, unknown> & SystemLine => line.bench === "system")
    .sort((a, b) => a.workers - b.workers);
}

const fixed = (value: number | null | undefined, digits: number) =>
  value === null || value === undefined ? "—" : value.toFixed(digits);

/** Where one goal stands: the figure, and whether it met its bar (by how much otherwise). */
function verdict(value: number | null, bar: number, unit: string, digits: number, below = false): string {
  const goal = `goal ${below ? "<" : "≤"} ${bar} ${unit}`;
  if (value === null) return `not measured (${goal})`;
  const met = below ? value < bar : value <= bar;
  return met
    ? `${value.toFixed(digits)} ${unit} — met (${goal})`
    : `${value.toFixed(digits)} ${unit} — missed by ${(value - bar).toFixed(digits)} ${unit} (${goal})`;
}

/** Cores and MB per 1,000 workers between the smallest and the largest fleet, and what is left at zero. */
export function sizingSlope(
  lines: readonly SystemLine[],
): { coresPer1000: number; mbPer1000: number; baseCores: number; baseMb: number } | undefined {
  const first = lines[0];
  const last = lines.at(-1);
  if (!first || !last || last.workers === first.workers) return undefined;
  const thousands = (last.workers - first.workers) / 1_000;
  const coresPer1000 = (last.serviceCpuCores - first.serviceCpuCores) / thousands;
  const mbPer1000 = (last.rssMbTotal - first.rssMbTotal) / thousands;
  return {
    coresPer1000,
    mbPer1000,
    baseCores: first.serviceCpuCores - (coresPer1000 * first.workers) / 1_000,
    baseMb: first.rssMbTotal - (mbPer1000 * first.workers) / 1_000,
  };
}

/** The sizing page (Markdown) for the system lines of one results file. */
export function renderSizingDoc(input: { ranAt: string; lines: readonly SystemLine[] }): string {
  // Each line says when it was measured; a results file from before that has only its run's time.
  const { lines } = input;
  const out: string[] = [
    "# Sizing",
    "",
    "<!-- Generated from bench/results.json by `npm run docs:sizing` (also run by `npm run bench`); do not edit. -->",
    "",
    "What machine watches how many workers, with every service on it. The figures come from the system benchmark",
    "(`npm run bench -- system`, [bench/system.ts](../../bench/system.ts)): nats-server, the fleet simulator and every",
    "service run as processes on one machine at the default 60 s collection interval; after a warm-up cycle it",
    "measures CPU and RSS per process from `/proc` over the measured cycles (the simulator's CPU is not counted), the",
    "freshness of changes made in the simulator (a lab starts or stops, CPU changes, an instance stops and starts),",
    "timed on the simulator's clock and seen on the API's SSE feed, `refresh?wait` and `GET /workers?limit=200`.",
    "",
  ];
  if (lines.length === 0) {
    out.push("No system benchmark in bench/results.json yet: run `npm run bench -- system --save`.", "");
    return out.join("\n");
  }
  const first = lines[0] as SystemLine;
  const machine = first.machine;
  const measuredAt = (first.measuredAt ?? input.ranAt).slice(0, 10);
  out.push(
    `Measured ${measuredAt}${machine ? ` on ${machine.cpus} cores (${machine.model}), ${machine.memoryGb} GB RAM` : ""}${first.nodeVersion ? `, Node ${first.nodeVersion.replace(/^v/, "")}` : ""}; ${first.cycles} measured cycle(s) of ${first.intervalSeconds} s${first.labs ? `; labs: ${first.labs}` : ""}.`,
    "",
    "| workers | services CPU (cores) | services RSS (MB) | nats-server CPU / RSS | freshness p95 ec2 / cloudwatch¹ / cml (s) | refresh?wait p95 (ms) | `GET /workers?limit=200` p99 (ms) | load average² |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|",
  );
  for (const line of lines) {
    const f = line.freshnessP95Seconds;
    out.push(
      `| ${line.workers.toLocaleString("en-US")} | ${fixed(line.serviceCpuCores, 2)} | ${fixed(line.rssMbTotal, 0)} | ${fixed(line.natsCpuCores, 2)} / ${fixed(line.natsRssMb, 0)} MB | ${fixed(f.ec2, 1)} / ${fixed(f.cloudwatch, 1)} / ${fixed(f.cml, 1)} | ${fixed(line.refreshWaitP95Ms, 0)} | ${fixed(line.apiListP99Ms, 1)} | ${line.loadAverage ? fixed(line.loadAverage[0], 2) : "—"} |`,
    );
  }
  out.push(
    "",
    "¹ CloudWatch freshness counts from when the datapoint becomes available (CloudWatch publishes a period after it",
    "ends), the others from the change itself. ² The machine's 1-minute load average at the end of the measured cycles.",
    "",
    "Per service (CPU cores / RSS MB):",
    "",
  );
  const services = [...new Set(lines.flatMap((line) => Object.keys(line.perServiceCpuCores)))];
  out.push(
    `| service | ${lines.map((line) => `${line.workers.toLocaleString("en-US")} workers`).join(" | ")} |`,
    `|---|${lines.map(() => "---:").join("|")}|`,
  );
  for (const service of services) {
    out.push(
      `| ${service} | ${lines.map((line) => `${fixed(line.perServiceCpuCores[service], 3)} / ${fixed(line.perServiceRssMb?.[service], 0)}`).join(" | ")} |`,
    );
  }
  const slope = sizingSlope(lines);
  if (slope) {
    const last = lines.at(-1) as SystemLine;
    out.push(
      "",
      `## What machine for how many workers`,
      "",
      `Between ${first.workers.toLocaleString("en-US")} and ${last.workers.toLocaleString("en-US")} workers the services take **${slope.coresPer1000.toFixed(3)} cores and ${slope.mbPer1000.toFixed(0)} MB per 1,000 workers** more, from a base of ${slope.baseCores.toFixed(2)} cores and ${slope.baseMb.toFixed(0)} MB. For W workers, the services need about`,
      "",
      `    cores ≈ ${slope.baseCores.toFixed(2)} + ${slope.coresPer1000.toFixed(3)} × W / 1000        RSS ≈ ${slope.baseMb.toFixed(0)} MB + ${slope.mbPer1000.toFixed(0)} MB × W / 1000`,
      "",
      "plus nats-server (column above) and room for bursts: collections arrive once per interval, so keep the average",
      "well under the cores you have. Beyond the largest size measured this is an extrapolation; run",
      "`npm run bench -- system --workers <W>` to measure it.",
    );
  }
  const atGoal = lines.find((line) => line.workers === SIZING_GOALS.workers);
  if (atGoal) {
    const bar = atGoal.intervalSeconds + SIZING_GOALS.freshnessBeyondIntervalSeconds;
    const f = atGoal.freshnessP95Seconds;
    out.push(
      "",
      `## Goals at ${SIZING_GOALS.workers.toLocaleString("en-US")} workers`,
      "",
      `- services' average CPU: ${verdict(atGoal.serviceCpuCores, SIZING_GOALS.serviceCpuCores, "cores", 2)}`,
      `- RSS of all services: ${verdict(atGoal.rssMbTotal, SIZING_GOALS.rssMbTotal, "MB", 0)}`,
      `- freshness p95, ec2: ${verdict(f.ec2, bar, "s", 1)}`,
      `- freshness p95, cloudwatch (after availability): ${verdict(f.cloudwatch, bar, "s", 1)}`,
      `- freshness p95, cml: ${verdict(f.cml, bar, "s", 1)}`,
      `- \`refresh?wait\` p95: ${verdict(atGoal.refreshWaitP95Ms, SIZING_GOALS.refreshWaitP95Ms, "ms", 0, true)}`,
      `- \`GET /workers?limit=200\` p99: ${verdict(atGoal.apiListP99Ms, SIZING_GOALS.apiListP99Ms, "ms", 1, true)}`,
    );
  }
  out.push("");
  return out.join("\n");
}
