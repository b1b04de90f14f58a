import { randomUUID } from "node:crypto";
import type { WorkerMetricsStore } from "@cml-telemetry/history-store";
import { type Logger, type OpsPublisher, startJob } from "@cml-telemetry/messaging";

/** Job name of the retention run in ops events. */
export const RETENTION_JOB_NAME = "history-retention";

/** A scheduled retention job. */
export interface RetentionJob {
  /** Runs once now (skipped if a run is in progress); resolves with the samples removed. */
  runNow(): Promise<number>;
  /** Cancels future runs and waits for one in progress. */
  stop(): Promise<void>;
}

/**
 * Applies the history retention at start and every `intervalSeconds`, reporting each run as
 * `history-retention` ops events (started, completed with the samples removed, failed). The embedded store drops
 * expired samples; MongoDB only has its TTL verified (its server expires documents).
 */
export function startRetentionJob(options: {
  store: WorkerMetricsStore;
  ops: OpsPublisher;
  logger: Logger;
  intervalSeconds: number;
  now?: () => Date;
}): RetentionJob {
  const now = options.now ?? (() => new Date());
  let running: Promise<number> | undefined;

  const run = async (): Promise<number> => {
    const job = startJob(options.ops, RETENTION_JOB_NAME, randomUUID());
    try {
      const { removed } = await options.store.enforceRetention(now());
      const durationMs = job.complete(removed);
      options.logger.info({ jobId: job.jobId, removed, durationMs }, "history retention applied");
      return removed;
    } catch (error) {
      job.fail(error);
      options.logger.error({ jobId: job.jobId, err: (error as Error).message }, "history retention failed");
      return 0;
    }
  };
  const runNow = (): Promise<number> => {
    if (running) return running.then(() => 0);
    running = run().finally(() => {
      running = undefined;
    });
    return running;
  };

  void runNow();
  const timer = setInterval(() => void runNow(), options.intervalSeconds * 1_000);
  return {
    runNow,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
