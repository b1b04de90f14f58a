import { METRIC_FIELDS, TEXT_FIELDS } from "../types.ts";

/** Estimated V8 cost of one typed array view plus its ArrayBuffer object, beyond the data bytes. */
export const TYPED_ARRAY_OVERHEAD_BYTES = 160;
/** Estimated V8 cost of a chunk object and its two small column-slot arrays. */
const CHUNK_OVERHEAD_BYTES = 200;

/**
 * A sorted run of samples of one series stored column-wise: `timestamps` (epoch ms) plus one column per field,
 * allocated only once a sample carries that field. Absent numbers are `NaN`; absent strings are code 0.
 */
export class SeriesChunk {
  length = 0;
  timestamps: Float64Array;
  /** Indexed like {@link METRIC_FIELDS}. */
  readonly metrics: Array<Float64Array | undefined>;
  /** Indexed like {@link TEXT_FIELDS}; values are interned string codes. */
  readonly texts: Array<Uint16Array | undefined>;

  constructor(capacity: number) {
    this.timestamps = new Float64Array(capacity);
    this.metrics = new Array<Float64Array | undefined>(METRIC_FIELDS.length).fill(undefined);
    this.texts = new Array<Uint16Array | undefined>(TEXT_FIELDS.length).fill(undefined);
  }

  get capacity(): number {
    return this.timestamps.length;
  }

  get firstTimestamp(): number {
    return this.timestamps[0] ?? Number.NaN;
  }

  get lastTimestamp(): number {
    return this.timestamps[this.length - 1] ?? Number.NaN;
  }

  /** First index whose timestamp is >= `epochMs` (binary search). */
  lowerBound(epochMs: number): number {
    let low = 0;
    let high = this.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.timestamps[mid] as number) < epochMs) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** The numeric column for field `index`, allocated (filled with NaN) on first use. */
  metricColumn(index: number): Float64Array {
    const existing = this.metrics[index];
    if (existing) return existing;
    const column = new Float64Array(this.capacity).fill(Number.NaN);
    this.metrics[index] = column;
    return column;
  }

  /** The text column for field `index`, allocated (filled with 0 = absent) on first use. */
  textColumn(index: number): Uint16Array {
    const existing = this.texts[index];
    if (existing) return existing;
    const column = new Uint16Array(this.capacity);
    this.texts[index] = column;
    return column;
  }

  /** Reallocate every column with a larger capacity, keeping the contents. */
  grow(capacity: number): void {
    this.timestamps = resized(this.timestamps, capacity, 0);
    for (let i = 0; i < this.metrics.length; i++) {
      const column = this.metrics[i];
      if (column) this.metrics[i] = resized(column, capacity, Number.NaN);
    }
    for (let i = 0; i < this.texts.length; i++) {
      const column = this.texts[i];
      if (column) this.texts[i] = resized(column, capacity, 0);
    }
  }

  /** Open a gap at `index` (shifting later rows right); the caller then writes the row. Needs spare capacity. */
  openGap(index: number): void {
    const end = this.length;
    this.timestamps.copyWithin(index + 1, index, end);
    for (const column of this.metrics) column?.copyWithin(index + 1, index, end);
    for (const column of this.texts) column?.copyWithin(index + 1, index, end);
    this.length++;
  }

  /** Drop the first `count` rows (shifting the rest left). */
  dropFirst(count: number): void {
    const end = this.length;
    this.timestamps.copyWithin(0, count, end);
    for (const column of this.metrics) column?.copyWithin(0, count, end);
    for (const column of this.texts) column?.copyWithin(0, count, end);
    this.length -= count;
  }

  /** Move rows `[from, length)` into a new chunk of `capacity` and truncate this one to `from` rows. */
  splitAt(from: number, capacity: number): SeriesChunk {
    const tail = new SeriesChunk(capacity);
    tail.timestamps.set(this.timestamps.subarray(from, this.length));
    this.metrics.forEach((column, i) => {
      if (column) tail.metricColumn(i).set(column.subarray(from, this.length));
    });
    this.texts.forEach((column, i) => {
      if (column) tail.textColumn(i).set(column.subarray(from, this.length));
    });
    tail.length = this.length - from;
    this.length = from;
    return tail;
  }

  /** Memory held by this chunk: allocated column bytes plus estimated object overhead. */
  get bytes(): number {
    let bytes = CHUNK_OVERHEAD_BYTES + this.timestamps.byteLength + TYPED_ARRAY_OVERHEAD_BYTES;
    for (const column of this.metrics) if (column) bytes += column.byteLength + TYPED_ARRAY_OVERHEAD_BYTES;
    for (const column of this.texts) if (column) bytes += column.byteLength + TYPED_ARRAY_OVERHEAD_BYTES;
    return bytes;
  }
}

function resized<T extends Float64Array | Uint16Array>(column: T, capacity: number, fill: number): T {
  const next = new (column.constructor as new (length: number) => T)(capacity);
  next.set(column);
  if (fill !== 0) next.fill(fill, column.length);
  return next;
}
