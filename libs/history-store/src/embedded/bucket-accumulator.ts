import type { AggregatedBucket, MetricName, MetricStats, Source } from "../types.ts";
import type { SeriesChunk } from "./series-chunk.ts";

/** Running count/sum/min/max of the selected metrics for the bucket being scanned. */
export class BucketAccumulator {
  count = 0;
  readonly #metrics: readonly MetricName[];
  readonly #counts: Float64Array;
  readonly #sums: Float64Array;
  readonly #mins: Float64Array;
  readonly #maxes: Float64Array;

  constructor(metrics: readonly MetricName[]) {
    this.#metrics = metrics;
    this.#counts = new Float64Array(metrics.length);
    this.#sums = new Float64Array(metrics.length);
    this.#mins = new Float64Array(metrics.length).fill(Number.POSITIVE_INFINITY);
    this.#maxes = new Float64Array(metrics.length).fill(Number.NEGATIVE_INFINITY);
  }

  add(chunk: SeriesChunk, row: number, metricIndexes: readonly number[]): void {
    this.count++;
    for (let m = 0; m < metricIndexes.length; m++) {
      const value = chunk.metrics[metricIndexes[m] as number]?.[row];
      if (value === undefined || Number.isNaN(value)) continue;
      this.#counts[m] = (this.#counts[m] as number) + 1;
      this.#sums[m] = (this.#sums[m] as number) + value;
      if (value < (this.#mins[m] as number)) this.#mins[m] = value;
      if (value > (this.#maxes[m] as number)) this.#maxes[m] = value;
    }
  }

  /** Emit the bucket and reset for the next one. */
  flush(startMs: number, source: Source): AggregatedBucket & { time: number } {
    const metrics: Partial<Record<MetricName, MetricStats>> = {};
    this.#metrics.forEach((metric, m) => {
      const count = this.#counts[m] as number;
      if (count === 0) return;
      metrics[metric] = {
        count,
        avg: (this.#sums[m] as number) / count,
        min: this.#mins[m] as number,
        max: this.#maxes[m] as number,
      };
    });
    const bucket = { time: startMs, start: new Date(startMs), source, count: this.count, metrics };
    this.count = 0;
    this.#counts.fill(0);
    this.#sums.fill(0);
    this.#mins.fill(Number.POSITIVE_INFINITY);
    this.#maxes.fill(Number.NEGATIVE_INFINITY);
    return bucket;
  }
}
