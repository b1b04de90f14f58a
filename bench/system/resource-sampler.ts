import { cpuSecondsOf, pssMbOf, rssMbOf } from "./proc-stats.ts";

/** A process whose CPU and memory are measured, and the group its figures add up in. */
export interface MeasuredProcess {
  readonly name: string;
  readonly pid: number;
  readonly group: "service" | "simulator" | "nats";
}

/** CPU and memory of the measured processes over one window. */
export interface ResourceUsage {
  readonly seconds: number;
  /** Average cores over the window, per process name. */
  readonly cpuCores: Readonly<Record<string, number>>;
  /** Highest RSS sampled, per process name (MB). */
  readonly rssMbMax: Readonly<Record<string, number>>;
  /** Per group: average cores, and the highest sums of RSS and of PSS sampled at one time (MB). */
  readonly groups: Readonly<
    Record<MeasuredProcess["group"], { cpuCores: number; rssMbMax: number; pssMbMax: number }>
  >;
}

/**
 * Measures processes from `/proc`: CPU time at the start and the end of the window (so every tick in between
 * counts, however short its bursts), RSS every `sampleMs`.
 */
export function startResourceSampler(processes: readonly MeasuredProcess[], sampleMs = 2_000) {
  const startedAt = performance.now();
  const cpuAtStart = new Map(processes.map((process) => [process.name, cpuSecondsOf(process.pid) ?? 0]));
  const rssMax = new Map<string, number>();
  const groupRssMax = new Map<MeasuredProcess["group"], number>();
  const groupPssMax = new Map<MeasuredProcess["group"], number>();
  const raise = (
    map: Map<MeasuredProcess["group"], number>,
    group: MeasuredProcess["group"],
    value: number,
  ) => map.set(group, Math.max(map.get(group) ?? 0, value));
  const sample = () => {
    const rssSum = new Map<MeasuredProcess["group"], number>();
    const pssSum = new Map<MeasuredProcess["group"], number>();
    for (const process of processes) {
      const rss = rssMbOf(process.pid) ?? 0;
      rssMax.set(process.name, Math.max(rssMax.get(process.name) ?? 0, rss));
      rssSum.set(process.group, (rssSum.get(process.group) ?? 0) + rss);
      pssSum.set(process.group, (pssSum.get(process.group) ?? 0) + (pssMbOf(process.pid) ?? 0));
    }
    for (const [group, sum] of rssSum) raise(groupRssMax, group, sum);
    for (const [group, sum] of pssSum) raise(groupPssMax, group, sum);
  };
  sample();
  const timer = setInterval(sample, sampleMs);
  return {
    stop(): ResourceUsage {
      clearInterval(timer);
      sample();
      const seconds = (performance.now() - startedAt) / 1000;
      const cpuCores: Record<string, number> = {};
      const totals = (group: MeasuredProcess["group"]) => ({
        cpuCores: 0,
        rssMbMax: groupRssMax.get(group) ?? 0,
        pssMbMax: groupPssMax.get(group) ?? 0,
      });
      const groups = { service: totals("service"), simulator: totals("simulator"), nats: totals("nats") };
      for (const process of processes) {
        const used =
          (cpuSecondsOf(process.pid) ?? cpuAtStart.get(process.name) ?? 0) -
          (cpuAtStart.get(process.name) ?? 0);
        cpuCores[process.name] = used / seconds;
        groups[process.group].cpuCores += used / seconds;
      }
      return { seconds, cpuCores, rssMbMax: Object.fromEntries(rssMax), groups };
    },
  };
}
