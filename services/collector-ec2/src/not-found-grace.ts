import { awsErrorTypes, type WorkerState } from "@cml-telemetry/contracts";

/** What to publish for a worker whose instance EC2 does not find. */
export type NotFoundVerdict =
  | { readonly terminate: true }
  | {
      readonly terminate: false;
      /** The worker was seen existing (so a NotFound lasting the grace will terminate it). */
      readonly seenExisting: boolean;
      /** Since when EC2 has not found it (epoch ms), as far as this replica knows. */
      readonly sinceMs: number;
    };

/** Whether EC2 once showed the instance: a status check succeeded, or discovery returned it. */
export function wasSeenExisting(worker: WorkerState | undefined): boolean {
  return (
    worker !== undefined && (worker.ec2Metrics.lastCheckedAt !== null || worker.lastDiscoveredAt !== null)
  );
}

/**
 * EC2 is eventually consistent: a just-launched or just-tagged instance can be `NotFound` for a while, so one
 * `NotFound` never terminates a worker. A worker that was seen existing is terminated once `NotFound` has lasted
 * `graceMs`; a worker never seen (registered with a wrong id or region) stays a `not_found` failure.
 */
export function notFoundVerdict(options: {
  worker: WorkerState | undefined;
  /** When this NotFound run started (the first NotFound after the last successful read). */
  sinceMs: number;
  nowMs: number;
  graceMs: number;
}): NotFoundVerdict {
  const seenExisting = wasSeenExisting(options.worker);
  if (seenExisting && options.nowMs - options.sinceMs >= options.graceMs) return { terminate: true };
  return { terminate: false, seenExisting, sinceMs: options.sinceMs };
}

/**
 * Remembers, per worker, since when EC2 has not found its instance. The run restarts when the worker state shows a
 * successful read after it began (another replica read it), and after a restart it resumes from the state's last
 * `not_found` error, so a replica never terminates earlier than the grace, only possibly later.
 */
export interface NotFoundRuns {
  /** Records a NotFound at `nowMs` and returns since when the current run lasts. */
  observe(workerId: string, worker: WorkerState | undefined, nowMs: number): number;
  /** A successful read ends the run. */
  clear(workerId: string): void;
}

/** Creates the NotFound run tracker of a collector replica (bounded by the workers it collects). */
export function createNotFoundRuns(): NotFoundRuns {
  const since = new Map<string, number>();
  return {
    observe(workerId, worker, nowMs) {
      const lastSuccess = toMs(worker?.ec2Metrics.lastCheckedAt);
      let start = since.get(workerId);
      if (start !== undefined && lastSuccess !== undefined && lastSuccess >= start) start = undefined;
      if (start === undefined) {
        const lastError = worker?.ec2Metrics.lastError;
        const lastNotFound = lastError?.type === awsErrorTypes.notFound ? toMs(lastError.at) : undefined;
        start =
          lastNotFound !== undefined && (lastSuccess === undefined || lastSuccess < lastNotFound)
            ? Math.min(lastNotFound, nowMs)
            : nowMs;
      }
      since.set(workerId, start);
      return start;
    },
    clear(workerId) {
      since.delete(workerId);
    },
  };
}

function toMs(iso: string | null | undefined): number | undefined {
  if (iso === null || iso === undefined) return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}
