import type { OpsPublisher } from "./ops-publisher.ts";

/** Reports one run of a job (collector cycle, retention job) as started/completed/failed ops events. */
export interface JobRun {
  readonly jobId: string;
  complete(entriesProcessed: number): number;
  fail(error: unknown): number;
}

/** Starts a job run: emits `job.started` now; `complete`/`fail` emit the outcome and return the duration in ms. */
export function startJob(
  ops: OpsPublisher,
  jobName: string,
  jobId: string,
  now: () => number = Date.now,
): JobRun {
  const startedAt = now();
  ops.jobStarted({ jobId, jobName });
  return {
    jobId,
    complete(entriesProcessed) {
      const durationMs = now() - startedAt;
      ops.jobCompleted({ jobId, jobName, entriesProcessed, durationMs });
      return durationMs;
    },
    fail(error) {
      const durationMs = now() - startedAt;
      ops.jobFailed({
        jobId,
        jobName,
        durationMs,
        errorType: error instanceof Error ? error.name : "Error",
        errorMessage: error instanceof Error ? error.message : String(error),
      });
      return durationMs;
    },
  };
}
