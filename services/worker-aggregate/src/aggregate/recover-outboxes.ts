import { TransientError } from "@cml-telemetry/contracts";
import { redeliveryBackoffMs } from "@cml-telemetry/messaging";
import { CasConflictError } from "../store/worker-store.ts";
import { publishPendingOutbox, type WorkerProcessorDeps } from "./process-worker.ts";

/** Where the start-up outbox scan stands. */
export interface OutboxRecoveryProgress {
  /** Workers with a record (0 until they could be listed). */
  readonly total: number;
  /** Workers whose outbox was checked (and published where needed, then emptied). */
  readonly checked: number;
  /** Workers whose outbox had entries the stream was missing (published now). */
  readonly recovered: number;
  /** Workers still to check, including those waiting for a retry (while listing fails: 0, with `listed` false). */
  readonly pending: number;
  /** Workers given up on (a failure that is not transient, retried `maxAttempts` times). */
  readonly failed: number;
  readonly listed: boolean;
  /** True once every worker was checked or given up on. */
  readonly done: boolean;
}

/** Options of {@link startOutboxRecovery}. */
export interface OutboxRecoveryOptions {
  /** Workers checked at the same time (default 64). */
  readonly concurrency?: number;
  /** Delay before the n-th retry of a worker (1-based; default 1 s doubling, at most 30 s). */
  readonly retryDelayMs?: (attempt: number) => number;
  /** Attempts at a worker whose failure is not a TransientError before it is given up on (default 5). */
  readonly maxAttempts?: number;
  /** Called when the scan moved on: after the first pass, after each retry round, and every `progressEveryMs`. */
  readonly onProgress?: (progress: OutboxRecoveryProgress) => void;
  /** How often progress is logged and reported while the scan runs, ms (default 5 s). */
  readonly progressEveryMs?: number;
}

/** A running start-up scan. */
export interface OutboxRecovery {
  /** Settles when every worker was tried once: the service may consume meanwhile, retries go on. */
  readonly firstPass: Promise<OutboxRecoveryProgress>;
  /** Settles when every worker was checked or given up on, or the scan was stopped. */
  readonly done: Promise<OutboxRecoveryProgress>;
  progress(): OutboxRecoveryProgress;
  /** Stops retrying (a retry round under way finishes). */
  stop(): Promise<void>;
}

const defaultRetryDelayMs = (attempt: number) => redeliveryBackoffMs(attempt, 1_000, 30_000);

/**
 * Checks one worker's outbox: publishes what a crash left unpublished (never what the stream can no longer hold),
 * then empties the outbox, so the record never offers those entries again. The emptying write is a compare-and-set:
 * losing it means another writer replaced the outbox already. Returns whether entries were missing.
 */
async function recoverWorker(deps: WorkerProcessorDeps, workerId: string): Promise<boolean> {
  const stored = await deps.store.load(workerId);
  if (!stored || stored.record.outbox.length === 0) return false;
  const missing = await publishPendingOutbox(deps, workerId, stored);
  try {
    await deps.store.save(workerId, { ...stored.record, outbox: [] }, stored.revision);
  } catch (error) {
    if (!(error instanceof CasConflictError)) throw error;
  }
  return missing > 0;
}

/**
 * Start-up repair: publishes every outbox entry a crash left between the KV write and the publish (checked against
 * the stream, so entries that made it out are never published twice, however long ago, and entries the stream no
 * longer keeps never come back), and empties every outbox it checked. One failed read does not stop it: a worker
 * that fails is retried with backoff while the others go on (a TransientError without end, anything else
 * `maxAttempts` times), and progress is logged and reported (`onProgress`) until nothing is pending.
 */
export function startOutboxRecovery(
  deps: WorkerProcessorDeps,
  options: OutboxRecoveryOptions = {},
): OutboxRecovery {
  const concurrency = options.concurrency ?? 64;
  const retryDelayMs = options.retryDelayMs ?? defaultRetryDelayMs;
  const maxAttempts = options.maxAttempts ?? 5;
  const started = performance.now();
  let total = 0;
  let checked = 0;
  let recovered = 0;
  let failed = 0;
  let listed = false;
  let stopped = false;
  /** Workers waiting for a retry, with their attempts so far. */
  let retries = new Map<string, number>();
  let wake: (() => void) | undefined;

  const progress = (): OutboxRecoveryProgress => {
    const pending = listed ? total - checked - failed : 0;
    return { total, checked, recovered, pending, failed, listed, done: listed && pending === 0 };
  };
  const report = (): void => options.onProgress?.(progress());
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const ticker = setInterval(() => {
    deps.logger.info(
      { ...progress(), ms: Math.round(performance.now() - started) },
      "outbox recovery progress",
    );
    report();
  }, options.progressEveryMs ?? 5_000);
  ticker.unref();

  const attempt = async (workerId: string, attempts: number): Promise<void> => {
    try {
      const missing = await (deps.locks
        ? deps.locks.run(workerId, () => recoverWorker(deps, workerId))
        : recoverWorker(deps, workerId));
      checked += 1;
      if (missing) recovered += 1;
    } catch (error) {
      const tries = attempts + 1;
      const giveUp = !(error instanceof TransientError) && tries >= maxAttempts;
      deps.logger.warn(
        { workerId, attempts: tries, err: (error as Error)?.message ?? String(error), givenUp: giveUp },
        giveUp ? "outbox of a worker could not be checked; given up" : "outbox check failed; will retry",
      );
      if (giveUp) failed += 1;
      else retries.set(workerId, tries);
    }
  };
  const runAll = async (work: ReadonlyArray<readonly [string, number]>): Promise<void> => {
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < work.length) {
        const [workerId, attempts] = work[next] as readonly [string, number];
        next += 1;
        await attempt(workerId, attempts);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, work.length) }, lane));
  };

  const list = async (): Promise<string[] | undefined> => {
    for (let tries = 1; !stopped; tries += 1) {
      try {
        return await deps.store.workerIds();
      } catch (error) {
        deps.logger.warn(
          { attempts: tries, err: (error as Error)?.message ?? String(error) },
          "listing the workers for the outbox check failed; will retry",
        );
        await sleep(retryDelayMs(tries));
      }
    }
    return undefined;
  };

  const firstPass = (async () => {
    const ids = await list();
    if (ids === undefined) return progress();
    total = ids.length;
    listed = true;
    await runAll(ids.map((workerId) => [workerId, 0] as const));
    report();
    return progress();
  })();

  const done = (async () => {
    await firstPass;
    let round = 0;
    while (!stopped && retries.size > 0) {
      round += 1;
      await sleep(retryDelayMs(round));
      if (stopped) break;
      const due = [...retries];
      retries = new Map();
      await runAll(due);
      report();
    }
    clearInterval(ticker);
    const result = progress();
    deps.logger.info(
      { ...result, ms: Math.round(performance.now() - started) },
      result.recovered > 0 ? "published outboxes left by an interrupted run" : "worker outboxes checked",
    );
    return result;
  })();

  return {
    firstPass,
    done,
    progress,
    async stop() {
      stopped = true;
      wake?.();
      await done;
    },
  };
}

/**
 * Runs the start-up scan to its end ({@link startOutboxRecovery}) and resolves with where it ended.
 * @example const { recovered } = await recoverOutboxes(deps);
 */
export function recoverOutboxes(
  deps: WorkerProcessorDeps,
  options: OutboxRecoveryOptions = {},
): Promise<OutboxRecoveryProgress> {
  return startOutboxRecovery(deps, options).done;
}
