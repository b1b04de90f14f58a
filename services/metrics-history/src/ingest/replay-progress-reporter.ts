import type { Logger } from "@cml-telemetry/messaging";
import type { IngestProgress } from "./telemetry-ingest.ts";

/**
 * Logs replay progress (`replayed / total`, percent, rate) every `intervalMs` until stopped; returns the stop
 * function.
 */
export function startReplayProgressReporter(options: {
  progress: () => IngestProgress;
  logger: Logger;
  intervalMs: number;
  now?: () => number;
}): () => void {
  const now = options.now ?? Date.now;
  const startedAt = now();
  const timer = setInterval(() => {
    const { replayed, replayTotal } = options.progress();
    const elapsedSeconds = Math.max(0.001, (now() - startedAt) / 1000);
    options.logger.info(
      {
        replayed,
        total: replayTotal,
        percent: replayTotal === 0 ? 100 : Math.floor((replayed / replayTotal) * 1000) / 10,
        perSecond: Math.round(replayed / elapsedSeconds),
      },
      "replaying telemetry into the embedded history store",
    );
  }, options.intervalMs);
  return () => clearInterval(timer);
}
