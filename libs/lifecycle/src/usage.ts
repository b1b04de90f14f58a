import type { WorkerUsage } from "@cml-telemetry/contracts";

/** `YYYY-MM` of a time, in UTC. */
export function utcMonthOf(at: Date): string {
  return at.toISOString().slice(0, 7);
}

/** Epoch milliseconds of the first instant of the UTC month of `at`. */
export function utcMonthStartMs(at: Date): number {
  return Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1);
}

/** Seconds of `[from, to)` that fall in the UTC month of `to` (0 when `to` is not after `from`). */
export function secondsInMonthOf(from: string, to: string): number {
  const end = new Date(to);
  const start = Math.max(Date.parse(from), utcMonthStartMs(end));
  return Math.max(0, (end.getTime() - start) / 1000);
}

/** Which accumulator of {@link WorkerUsage} an interval counts in. */
export type UsageKind = "runningSeconds" | "idleStopSavedSeconds";

/**
 * The usage with the closed interval `[from, to)` added: the part of it in the UTC month of `to` counts; a new month
 * starts the accumulators from zero (earlier months are not kept). An interval closing in a month before the one
 * already accumulated changes nothing. Pure and clock-free, so the aggregate's `evolve` can fold it.
 * @example addClosedInterval(null, "runningSeconds", "2026-11-30T23:00:00.000Z", "2026-12-01T01:00:00.000Z") // { month: "2026-12", runningSeconds: 3600, … }
 */
export function addClosedInterval(
  usage: WorkerUsage | null,
  kind: UsageKind,
  from: string,
  to: string,
): WorkerUsage {
  const month = utcMonthOf(new Date(to));
  if (usage !== null && usage.month > month) return usage;
  const base =
    usage !== null && usage.month === month ? usage : { month, runningSeconds: 0, idleStopSavedSeconds: 0 };
  return { ...base, [kind]: base[kind] + secondsInMonthOf(from, to) };
}
