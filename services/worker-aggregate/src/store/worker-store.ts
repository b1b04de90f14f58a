import { TransientError, type WorkerRecord, workerRecordSchema } from "@cml-telemetry/contracts";
import { JetStreamApiCodes, JetStreamApiError } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";

/** A stored worker record and the KV revision it was read at (for compare-and-set). */
export interface StoredRecord {
  readonly record: WorkerRecord;
  readonly revision: number;
  /** True when it came from this instance's cache of its own writes (it may be stale; a write will tell). */
  readonly cached?: boolean;
}

/** Another writer changed the record since it was read; re-read and decide again. */
export class CasConflictError extends Error {
  override readonly name = "CasConflictError";
  readonly code = "CAS_CONFLICT";
  constructor(workerId: string, options?: { cause?: unknown }) {
    super(`worker ${workerId} was changed concurrently`, options);
  }
}

/** The worker records in KV `cml_workers`, written only with compare-and-set. */
export interface WorkerStore {
  /**
   * The record and its revision, or undefined when the worker has none (or it was deleted). `fresh` bypasses any
   * cache.
   */
  load(workerId: string, options?: { fresh?: boolean }): Promise<StoredRecord | undefined>;
  /**
   * Writes the record if the key is still at `revision` (undefined = must not exist yet); returns the new revision.
   * @throws CasConflictError when another writer got there first.
   */
  save(workerId: string, record: WorkerRecord, revision: number | undefined): Promise<number>;
  /** Every worker id with a record. */
  workerIds(): Promise<string[]>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function isConflict(error: unknown): boolean {
  return (
    error instanceof JetStreamApiError &&
    (error.code === JetStreamApiCodes.StreamWrongLastSequence ||
      error.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}

function transient(what: string, workerId: string, error: unknown): TransientError {
  return new TransientError(`${what} of worker ${workerId} failed: ${(error as Error)?.message ?? error}`, {
    cause: error,
    code: "KV_UNAVAILABLE",
  });
}

/**
 * KV-backed worker store. `validate` re-checks records against the contract schema on read (off on the hot path:
 * this service is the only writer).
 */
export function createWorkerStore(kv: KV, options: { validate?: boolean } = {}): WorkerStore {
  return {
    async load(workerId) {
      let entry: Awaited<ReturnType<KV["get"]>>;
      try {
        entry = await kv.get(workerId);
      } catch (error) {
        throw transient("reading the record", workerId, error);
      }
      if (entry === null || entry.operation !== "PUT" || entry.length === 0) return undefined;
      const raw: unknown = JSON.parse(decoder.decode(entry.value));
      const record = options.validate ? workerRecordSchema.parse(raw) : (raw as WorkerRecord);
      return { record, revision: entry.revision };
    },
    async save(workerId, record, revision) {
      const bytes = encoder.encode(JSON.stringify(record));
      try {
        return revision === undefined
          ? await kv.create(workerId, bytes)
          : await kv.update(workerId, bytes, revision);
      } catch (error) {
        if (isConflict(error)) throw new CasConflictError(workerId, { cause: error });
        throw transient("writing the record", workerId, error);
      }
    },
    async workerIds() {
      const ids: string[] = [];
      for await (const key of await kv.keys()) ids.push(key);
      return ids;
    },
  };
}
