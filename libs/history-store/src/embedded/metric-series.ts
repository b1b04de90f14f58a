import { METRIC_FIELDS, type MetricSample, type Source, TEXT_FIELDS } from "../types.ts";
import { SeriesChunk } from "./series-chunk.ts";
import type { StringInterner } from "./string-interner.ts";

/** First capacity of a chunk; it doubles up to {@link MAX_CHUNK_CAPACITY} as samples arrive. */
const INITIAL_CHUNK_CAPACITY = 16;
/** Rows per full chunk: large enough to amortise per-object overhead, small enough to keep inserts cheap. */
const MAX_CHUNK_CAPACITY = 512;
/** Estimated cost of a series object, its chunk list and its map entries. */
const SERIES_OVERHEAD_BYTES = 240;

/**
 * All samples of one `(workerId, source)` in timestamp order, as a list of non-overlapping sorted chunks.
 * Appends in time order are O(1); an out-of-order sample is inserted in place after two binary searches.
 */
export class MetricSeries {
  readonly workerId: string;
  readonly source: Source;
  /** Region of the latest sample added (a worker's region does not change: its id derives from it). */
  region: string;
  size = 0;
  readonly chunks: SeriesChunk[] = [];
  readonly #interner: StringInterner;

  constructor(workerId: string, source: Source, region: string, interner: StringInterner) {
    this.workerId = workerId;
    this.source = source;
    this.region = region;
    this.#interner = interner;
  }

  /** Insert a sample unless this series already holds its timestamp; returns whether it was inserted. */
  insert(sample: MetricSample): boolean {
    const epochMs = sample.timestamp.getTime();
    // Intern first: it is the only step that can throw, and must not leave a half-written row behind.
    const textCodes = TEXT_FIELDS.map((field) => {
      const value = sample[field];
      return value === undefined ? 0 : this.#interner.intern(value);
    });
    this.region = sample.meta.region;
    const last = this.chunks.at(-1);
    if (last === undefined || epochMs > last.lastTimestamp) {
      this.#append(epochMs, sample, textCodes);
      return true;
    }
    const chunkIndex = this.#firstChunkEndingAtOrAfter(epochMs);
    let chunk = this.chunks[chunkIndex] as SeriesChunk;
    let row = chunk.lowerBound(epochMs);
    if (row < chunk.length && chunk.timestamps[row] === epochMs) return false;
    if (chunk.length === chunk.capacity) {
      if (chunk.capacity < MAX_CHUNK_CAPACITY) {
        chunk.grow(Math.min(chunk.capacity * 2, MAX_CHUNK_CAPACITY));
      } else {
        const half = chunk.length >>> 1;
        const tail = chunk.splitAt(half, MAX_CHUNK_CAPACITY);
        this.chunks.splice(chunkIndex + 1, 0, tail);
        if (row > half) {
          chunk = tail;
          row -= half;
        }
      }
    }
    chunk.openGap(row);
    this.#writeRow(chunk, row, epochMs, sample, textCodes);
    this.size++;
    return true;
  }

  /** Remove samples with timestamp < `cutoffMs`; returns how many were removed. */
  removeBefore(cutoffMs: number): number {
    let removed = 0;
    while (this.chunks.length > 0 && (this.chunks[0] as SeriesChunk).lastTimestamp < cutoffMs) {
      removed += (this.chunks.shift() as SeriesChunk).length;
    }
    const first = this.chunks[0];
    if (first !== undefined) {
      const keepFrom = first.lowerBound(cutoffMs);
      if (keepFrom > 0) {
        first.dropFirst(keepFrom);
        removed += keepFrom;
      }
    }
    this.size -= removed;
    return removed;
  }

  /**
   * Visit rows with `fromMs <= timestamp < toMs` in order. The visitor returns `false` to stop early.
   */
  forEachInRange(fromMs: number, toMs: number, visit: (chunk: SeriesChunk, row: number) => boolean): void {
    for (let c = this.#firstChunkEndingAtOrAfter(fromMs); c < this.chunks.length; c++) {
      const chunk = this.chunks[c] as SeriesChunk;
      if (chunk.firstTimestamp >= toMs) return;
      const timestamps = chunk.timestamps;
      for (let row = chunk.lowerBound(fromMs); row < chunk.length; row++) {
        if ((timestamps[row] as number) >= toMs) return;
        if (!visit(chunk, row)) return;
      }
    }
  }

  /** Memory held by this series. */
  get bytes(): number {
    let bytes = SERIES_OVERHEAD_BYTES + (this.workerId.length + this.region.length) * 2;
    for (const chunk of this.chunks) bytes += chunk.bytes;
    return bytes;
  }

  #append(epochMs: number, sample: MetricSample, textCodes: readonly number[]): void {
    let chunk = this.chunks.at(-1);
    if (chunk === undefined || (chunk.length === chunk.capacity && chunk.capacity >= MAX_CHUNK_CAPACITY)) {
      chunk = new SeriesChunk(this.chunks.length === 0 ? INITIAL_CHUNK_CAPACITY : MAX_CHUNK_CAPACITY);
      this.chunks.push(chunk);
    } else if (chunk.length === chunk.capacity) {
      chunk.grow(Math.min(chunk.capacity * 2, MAX_CHUNK_CAPACITY));
    }
    chunk.length++;
    this.#writeRow(chunk, chunk.length - 1, epochMs, sample, textCodes);
    this.size++;
  }

  #writeRow(
    chunk: SeriesChunk,
    row: number,
    epochMs: number,
    sample: MetricSample,
    textCodes: readonly number[],
  ): void {
    chunk.timestamps[row] = epochMs;
    for (let i = 0; i < METRIC_FIELDS.length; i++) {
      const value = sample[METRIC_FIELDS[i] as (typeof METRIC_FIELDS)[number]];
      if (value !== undefined) chunk.metricColumn(i)[row] = value;
      else {
        const column = chunk.metrics[i];
        if (column) column[row] = Number.NaN;
      }
    }
    for (let i = 0; i < TEXT_FIELDS.length; i++) {
      const code = textCodes[i] as number;
      if (code !== 0) chunk.textColumn(i)[row] = code;
      else {
        const column = chunk.texts[i];
        if (column) column[row] = 0;
      }
    }
  }

  /** Index of the first chunk whose last timestamp is >= `epochMs` (the last chunk if none). */
  #firstChunkEndingAtOrAfter(epochMs: number): number {
    let low = 0;
    let high = this.chunks.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.chunks[mid] as SeriesChunk).lastTimestamp < epochMs) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
