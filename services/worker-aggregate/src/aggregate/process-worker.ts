import { TransientError } from "@cml-telemetry/contracts";
import type { Logger } from "@cml-telemetry/messaging";
import type { WorkerCommand } from "../decider/commands.ts";
import { CasConflictError, type StoredRecord, type WorkerStore } from "../store/worker-store.ts";
import type { AggregateMetrics } from "./aggregate-metrics.ts";
import { applyCommands, type CommandOutcome } from "./apply-commands.ts";
import type { OutboxPublisher } from "./outbox-publisher.ts";

/** What processing needs. */
export interface WorkerProcessorDeps {
  readonly store: WorkerStore;
  readonly publisher: OutboxPublisher;
  readonly metrics: AggregateMetrics;
  readonly logger: Logger;
  readonly clock: () => Date;
  /** Compare-and-set attempts before giving up with a TransientError (default 20). */
  readonly maxAttempts?: number;
}

/** Publishes a left-over outbox and clears it (a lost CAS means another writer already moved on). */
export async function flushOutbox(
  deps: WorkerProcessorDeps,
  workerId: string,
  stored: StoredRecord,
): Promise<void> {
  if (stored.record.outbox.length === 0) return;
  deps.metrics.eventsPublished(await deps.publisher.publish(stored.record.outbox));
  try {
    await deps.store.save(workerId, { ...stored.record, outbox: [] }, stored.revision);
  } catch (error) {
    if (!(error instanceof CasConflictError)) throw error;
  }
}

/**
 * Applies commands to one worker: load → publish any left-over outbox → decide all commands against that state →
 * write state + new events (outbox) with compare-and-set → publish them (`Nats-Msg-Id` `<workerId>:<version>:<n>`)
 * → clear the outbox. A lost compare-and-set re-reads and re-decides. A crash anywhere is repaired by whoever reads
 * the record next (or by the start-up scan): the outbox is published again and JetStream drops the repeats.
 * @throws TransientError when NATS is unavailable or conflicts persist.
 */
export async function processWorkerCommands(
  deps: WorkerProcessorDeps,
  workerId: string,
  commands: readonly WorkerCommand[],
): Promise<readonly CommandOutcome[]> {
  const maxAttempts = deps.maxAttempts ?? 20;
  let fresh = false;
  for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
    const stored = await deps.store.load(workerId, { fresh });
    const pending = stored?.record.outbox ?? [];
    if (pending.length > 0) deps.metrics.eventsPublished(await deps.publisher.publish(pending));
    const current = stored && pending.length > 0 ? { ...stored.record, outbox: [] } : stored?.record;
    const result = applyCommands(current, workerId, commands, deps.clock());
    if (!result.changed) {
      // "Nothing to do" must be decided on the stored state, not on a cached copy another replica may have outrun.
      if (stored?.cached) {
        fresh = true;
        continue;
      }
      if (stored && pending.length > 0) await flushOutbox(deps, workerId, stored);
      return result.outcomes;
    }
    let revision: number;
    try {
      revision = await deps.store.save(workerId, result.record, stored?.revision);
    } catch (error) {
      if (!(error instanceof CasConflictError)) throw error;
      deps.metrics.casConflict();
      fresh = true;
      continue;
    }
    await flushOutbox(deps, workerId, { record: result.record, revision });
    return result.outcomes;
  }
  throw new TransientError(
    `worker ${workerId}: compare-and-set kept conflicting after ${maxAttempts} attempts`,
    {
      code: "CAS_CONFLICTS",
    },
  );
}
