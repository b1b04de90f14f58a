import { TransientError, type WorkerRecord } from "@cml-telemetry/contracts";
import { type AckedPublisher, isCompareAndSetConflict, StreamPublishError } from "@cml-telemetry/messaging";
import { JetStreamApiError } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import { parseRecord } from "./parse-record.ts";
import type { RecordJson } from "./record-json.ts";

/** A stored worker record and the KV revision it was read at (for compare-and-set). */
export interface StoredRecord {
  readonly record: WorkerRecord;
  readonly revision: number;
  /** True when it came from this instance's cache (it may be stale; a write will tell). */
  readonly cached?: boolean;
  /** True when this instance knows the record's outbox is in the worker-events stream (it published or checked it). */
  readonly outboxPublished?: boolean;
  /** The JSON text the record was read from, when the store has it. */
  readonly json?: string;
  /** When the record was written (epoch ms, the NATS server's clock), when the store knows. */
  readonly writtenAtMs?: number;
}

/** Another writer changed the record since it was read; re-read and decide again. */
export class CasConflictError extends Error {
  override readonly name = "CasConflictError";
  readonly code = "CAS_CONFLICT";
  constructor(workerId: string, options?: { cause?: unknown }) {
    super(`worker ${workerId} was changed concurrently`, options);
  }
}

/**
 * The record is larger than the server or the bucket accepts: the write can never succeed as it is. Not retried;
 * the inputs that made it so are rejected.
 */
export class RecordTooLargeError extends Error {
  override readonly name = "RecordTooLargeError";
  readonly code = "RECORD_TOO_LARGE";
  readonly bytes: number;
  constructor(workerId: string, bytes: number, limit: string, options?: { cause?: unknown }) {
    super(`the record of worker ${workerId} (${bytes} bytes) is larger than ${limit}`, options);
    this.bytes = bytes;
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
   * `serialised` is the record already serialised ({@link recordJson}), when the caller has it.
   * @throws CasConflictError when another writer got there first; RecordTooLargeError when the record can never be
   * stored; TransientError when KV is unavailable.
   */
  save(
    workerId: string,
    record: WorkerRecord,
    revision: number | undefined,
    serialised?: RecordJson,
  ): Promise<number>;
  /** The outbox of the record at `revision` is in the stream: later loads of that revision need not check it. */
  markOutboxPublished(workerId: string, revision: number): void;
  /** Every worker id with a record. */
  workerIds(): Promise<string[]>;
}

const decoder = new TextDecoder();

/** JetStream `err_code` of a message larger than the stream's `max_msg_size`. */
const MESSAGE_EXCEEDS_MAXIMUM = 10054;

/** Whether a write failed for the size of the message (the stream's or the server's limit). */
function isTooLarge(error: unknown): boolean {
  return (
    ((error instanceof StreamPublishError || error instanceof JetStreamApiError) &&
      error.code === MESSAGE_EXCEEDS_MAXIMUM) ||
    (error instanceof Error && /max_payload/i.test(error.message))
  );
}

function transient(what: string, workerId: string, error: unknown): TransientError {
  return new TransientError(`${what} of worker ${workerId} failed: ${(error as Error)?.message ?? error}`, {
    cause: error,
    code: "KV_UNAVAILABLE",
  });
}

/** Options of {@link createWorkerStore}. */
export interface WorkerStoreOptions {
  /** Re-check records against the contract schema on read (off on the hot path: this service is the only writer). */
  readonly validate?: boolean;
  /**
   * Writes go through this publisher as a plain compare-and-set publish on `$KV.<bucket>.<key>` (the KV wire
   * protocol), without the client's per-request overhead. A creation the stream refuses is retried through the KV
   * client, which also handles keys whose last entry is a delete marker (and fails if the key really exists).
   */
  readonly writes?: { readonly publisher: AckedPublisher; readonly bucket: string };
  /** Largest message the server accepts (its `max_payload`): a larger record is refused without being sent. */
  readonly maxRecordBytes?: number;
}

/** KV-backed worker store. */
export function createWorkerStore(kv: KV, options: WorkerStoreOptions = {}): WorkerStore {
  const writes = options.writes;
  const update = writes
    ? async (workerId: string, bytes: Uint8Array, revision: number) =>
        (
          await writes.publisher.publish(`$KV.${writes.bucket}.${workerId}`, bytes, {
            expectedLastSubjectSequence: revision,
          })
        ).seq
    : (workerId: string, bytes: Uint8Array, revision: number) => kv.update(workerId, bytes, revision);
  const create = writes
    ? async (workerId: string, bytes: Uint8Array) => {
        try {
          return await update(workerId, bytes, 0);
        } catch (error) {
          if (!isCompareAndSetConflict(error)) throw error;
          return kv.create(workerId, bytes);
        }
      }
    : (workerId: string, bytes: Uint8Array) => kv.create(workerId, bytes);
  return {
    async load(workerId) {
      let entry: Awaited<ReturnType<KV["get"]>>;
      try {
        entry = await kv.get(workerId);
      } catch (error) {
        throw transient("reading the record", workerId, error);
      }
      if (entry === null || entry.operation !== "PUT" || entry.length === 0) return undefined;
      const json = decoder.decode(entry.value);
      const record = parseRecord(json, { validate: options.validate === true });
      return { record, revision: entry.revision, json, writtenAtMs: entry.created.getTime() };
    },
    async save(workerId, record, revision, serialised) {
      const bytes = Buffer.from(serialised?.json ?? JSON.stringify(record));
      const limit = options.maxRecordBytes;
      if (limit !== undefined && bytes.length > limit) {
        throw new RecordTooLargeError(workerId, bytes.length, `the server's max_payload (${limit} bytes)`);
      }
      try {
        return revision === undefined
          ? await create(workerId, bytes)
          : await update(workerId, bytes, revision);
      } catch (error) {
        if (isCompareAndSetConflict(error)) throw new CasConflictError(workerId, { cause: error });
        if (isTooLarge(error)) {
          throw new RecordTooLargeError(workerId, bytes.length, "the workers bucket accepts", {
            cause: error,
          });
        }
        throw transient("writing the record", workerId, error);
      }
    },
    markOutboxPublished() {
      // Nothing is remembered without a cache: every load checks the outbox against the stream.
    },
    async workerIds() {
      const ids: string[] = [];
      for await (const key of await kv.keys()) ids.push(key);
      return ids;
    },
  };
}
