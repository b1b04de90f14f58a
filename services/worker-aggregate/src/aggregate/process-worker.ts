import { TransientError } from "@cml-telemetry/contracts";
import type { Logger } from "@cml-telemetry/messaging";
import type { WorkerCommand } from "../decider/commands.ts";
import { outboxEntryToPublish, recordJson } from "../store/record-json.ts";
import {
  CasConflictError,
  RecordTooLargeError,
  type StoredRecord,
  type WorkerStore,
} from "../store/worker-store.ts";
import type { AggregateMetrics } from "./aggregate-metrics.ts";
import { applyCommands, type CommandOutcome } from "./apply-commands.ts";
import { rejectionOf } from "./input-rejection.ts";
import type { OutboxPublisher } from "./outbox-publisher.ts";
import type { WorkerLocks } from "./worker-locks.ts";

/** What processing needs. */
export interface WorkerProcessorDeps {
  readonly store: WorkerStore;
  readonly publisher: OutboxPublisher;
  readonly metrics: AggregateMetrics;
  readonly logger: Logger;
  readonly clock: () => Date;
  /** Serialises the work on each worker within this instance (concurrent batches, the idle scan). */
  readonly locks?: WorkerLocks;
  /** Compare-and-set attempts before giving up with a TransientError (default 20). */
  readonly maxAttempts?: number;
}

/**
 * Publishes what the stored outbox holds that the stream does not (a crash came between the KV write and the
 * publish), unless this instance already knows it is all there. Returns how many entries were missing.
 */
export async function publishPendingOutbox(
  deps: WorkerProcessorDeps,
  workerId: string,
  stored: StoredRecord,
): Promise<number> {
  if (stored.outboxPublished || stored.record.outbox.length === 0) return 0;
  const { outbox, state } = stored.record;
  const missing = await deps.publisher.unpublished(
    outbox.map((entry) => outboxEntryToPublish(entry, state)),
    stored.writtenAtMs,
  );
  if (missing.length > 0) deps.metrics.eventsPublished(await deps.publisher.publish(missing));
  deps.store.markOutboxPublished(workerId, stored.revision);
  return missing.length;
}

/**
 * Applies commands to one worker: load → publish what a crash left unpublished of the stored outbox → decide all
 * commands against that state → write state + new events (outbox) with compare-and-set → publish them
 * (`Nats-Msg-Id` `<workerId>:<version>:<n>`). The outbox is not cleared by a second write: it stays with the record
 * until the next decision replaces it, and whoever reads a record without knowing its outbox was published checks
 * the stream. A crash anywhere is repaired by whoever reads the record next (or by the start-up scan); a lost
 * compare-and-set re-reads and re-decides. When the record would be too large to store, the commands are applied one
 * by one: each one that alone still makes it too large is `rejected` and surfaced as `source_failed` (InputRejected),
 * so it does not hold back the others.
 * @throws TransientError when NATS is unavailable or conflicts persist.
 */
export function processWorkerCommands(
  deps: WorkerProcessorDeps,
  workerId: string,
  commands: readonly WorkerCommand[],
): Promise<readonly CommandOutcome[]> {
  return deps.locks
    ? deps.locks.run(workerId, () => applyOrIsolate(deps, workerId, commands))
    : applyOrIsolate(deps, workerId, commands);
}

async function applyOrIsolate(
  deps: WorkerProcessorDeps,
  workerId: string,
  commands: readonly WorkerCommand[],
): Promise<readonly CommandOutcome[]> {
  if (commands.length > 1) {
    try {
      return await decideAndWrite(deps, workerId, commands);
    } catch (error) {
      if (!(error instanceof RecordTooLargeError)) throw error;
    }
  }
  const outcomes: CommandOutcome[] = [];
  for (const command of commands) {
    try {
      outcomes.push(...(await decideAndWrite(deps, workerId, [command])));
    } catch (error) {
      if (!(error instanceof RecordTooLargeError)) throw error;
      await rejectInput(deps, workerId, command, error);
      outcomes.push("rejected");
    }
  }
  return outcomes;
}

/** Logs an input whose record cannot be stored and records its rejection on the worker, when it can be stored. */
async function rejectInput(
  deps: WorkerProcessorDeps,
  workerId: string,
  command: WorkerCommand,
  error: RecordTooLargeError,
): Promise<void> {
  deps.logger.warn(
    { workerId, inputId: command.inputId, type: command.type, bytes: error.bytes, err: error.message },
    "input rejected: the worker's record would be too large to store",
  );
  const rejection = rejectionOf(command, error.message);
  if (!rejection) return;
  try {
    await decideAndWrite(deps, workerId, [rejection]);
  } catch (surfacing) {
    if (!(surfacing instanceof RecordTooLargeError)) throw surfacing;
    deps.logger.error(
      { workerId, inputId: command.inputId, err: surfacing.message },
      "rejection could not be stored",
    );
  }
}

async function decideAndWrite(
  deps: WorkerProcessorDeps,
  workerId: string,
  commands: readonly WorkerCommand[],
): Promise<readonly CommandOutcome[]> {
  const maxAttempts = deps.maxAttempts ?? 20;
  let fresh = false;
  for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
    const stored = await deps.store.load(workerId, { fresh });
    if (stored && !stored.outboxPublished && stored.record.outbox.length > 0) {
      await publishPendingOutbox(deps, workerId, stored);
    }
    const current =
      stored && stored.record.outbox.length > 0 ? { ...stored.record, outbox: [] } : stored?.record;
    const result = applyCommands(current, workerId, commands, deps.clock());
    if (!result.changed) {
      // "Nothing to do" must be decided on the stored state, not on a cached copy another replica may have outrun
      // (nor on a cache's guess that a worker it never saw has no record).
      if (!fresh && (stored === undefined || stored.cached)) {
        fresh = true;
        continue;
      }
      return result.outcomes;
    }
    const serialised = recordJson(result.record);
    let revision: number;
    try {
      revision = await deps.store.save(workerId, result.record, stored?.revision, serialised);
    } catch (error) {
      if (!(error instanceof CasConflictError)) throw error;
      deps.metrics.casConflict();
      fresh = true;
      continue;
    }
    deps.metrics.eventsPublished(await deps.publisher.publish(result.record.outbox, serialised.entries));
    deps.store.markOutboxPublished(workerId, revision);
    return result.outcomes;
  }
  throw new TransientError(
    `worker ${workerId}: compare-and-set kept conflicting after ${maxAttempts} attempts`,
    {
      code: "CAS_CONFLICTS",
    },
  );
}
