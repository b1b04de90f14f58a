import { TransientError, ValidationError } from "@cml-telemetry/contracts";
import {
  InvalidHistoryInputError,
  type MetricSample,
  StoreUnavailableError,
  type WorkerMetricsStore,
} from "@cml-telemetry/history-store";
import type { TelemetryEnvelope } from "./decode-telemetry-envelope.ts";
import { telemetryToSample } from "./telemetry-to-sample.ts";

/** What one batch of telemetry did to the store. */
export interface TelemetryBatchResult {
  /** Per event, in input order: `undefined` when handled (stored or nothing to store), else the error to settle it with. */
  readonly results: ReadonlyArray<ValidationError | undefined>;
  /** Samples stored as new observations. */
  readonly inserted: number;
  /** Samples the store already held (redeliveries, replays, repeated observations). */
  readonly duplicates: number;
  /** Events that carry no sample (discovery, failures, unknown newer types). */
  readonly withoutSample: number;
}

/**
 * Maps a batch of telemetry events onto samples and writes them with one `addSamples` call. An event with bad data
 * gets a `ValidationError` (terminate it) while the rest of the batch is stored; a sample the store rejects is
 * isolated by writing the batch one sample at a time.
 * @throws TransientError when the store is unavailable: nothing may be acknowledged, the batch is retried later.
 */
export async function writeTelemetryBatch(
  store: WorkerMetricsStore,
  events: ReadonlyArray<TelemetryEnvelope>,
): Promise<TelemetryBatchResult> {
  const results: Array<ValidationError | undefined> = new Array(events.length).fill(undefined);
  const samples: MetricSample[] = [];
  const sampleIndexes: number[] = [];
  let withoutSample = 0;
  events.forEach((event, index) => {
    try {
      const sample = telemetryToSample(event);
      if (sample === undefined) {
        withoutSample += 1;
        return;
      }
      samples.push(sample);
      sampleIndexes.push(index);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      results[index] = error;
    }
  });
  if (samples.length === 0) return { results, inserted: 0, duplicates: 0, withoutSample };
  try {
    const { inserted, duplicates } = await addOrRetryLater(store, samples);
    return { results, inserted, duplicates, withoutSample };
  } catch (error) {
    if (!(error instanceof InvalidHistoryInputError)) throw error;
  }
  let inserted = 0;
  let duplicates = 0;
  for (let i = 0; i < samples.length; i++) {
    try {
      const written = await addOrRetryLater(store, [samples[i] as MetricSample]);
      inserted += written.inserted;
      duplicates += written.duplicates;
    } catch (error) {
      if (!(error instanceof InvalidHistoryInputError)) throw error;
      results[sampleIndexes[i] as number] = new ValidationError(
        `sample rejected by the store: ${error.message}`,
        [{ field: "data", message: error.message }],
      );
    }
  }
  return { results, inserted, duplicates, withoutSample };
}

async function addOrRetryLater(
  store: WorkerMetricsStore,
  samples: readonly MetricSample[],
): Promise<{ inserted: number; duplicates: number }> {
  try {
    return await store.addSamples(samples);
  } catch (error) {
    if (error instanceof StoreUnavailableError) {
      throw new TransientError(`history store unavailable: ${error.message}`, {
        cause: error,
        code: error.code,
      });
    }
    throw error;
  }
}
