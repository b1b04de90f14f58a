import { randomUUID } from "node:crypto";
import {
  type CollectCommand,
  commands,
  correlationIdOf,
  parseEventData,
  TransientError,
  type WorkerState,
} from "@cml-telemetry/contracts";
import {
  type Delivery,
  type Logger,
  type OpsPublisher,
  publishEvent,
  startJob,
} from "@cml-telemetry/messaging";
import type { JetStreamClient } from "@nats-io/jetstream";
import type { CmlClientCache } from "./cml-client-cache.ts";
import { type CmlCollectableWorker, isCmlCollectable } from "./cml-eligibility.ts";
import { cmlTelemetryMessage } from "./cml-telemetry-event.ts";
import { type CmlCollection, collectCmlWorker, failedCollectionOf } from "./collect-cml-worker.ts";
import type { CollectorCmlMetrics } from "./collector-cml-metrics.ts";
import { runBounded } from "./run-bounded.ts";
import { isSlotCovered } from "./slot-coverage.ts";
import type { WorkerReadPolicy } from "./worker-read-policy.ts";

/** The ops job name of a CML collection batch. */
export const CML_JOB_NAME = "collect-cml";

/** Dependencies of {@link createCmlBatchHandler}. */
export interface CmlBatchHandlerDeps {
  readonly js: JetStreamClient;
  /** Worker states from KV `cml_workers` (status and endpoint decide the gating). */
  readonly directory: { get(workerId: string): WorkerState | undefined };
  readonly clients: CmlClientCache;
  readonly policy: WorkerReadPolicy;
  /** False when no CML user is configured (probe only). */
  readonly hasCredentials: boolean;
  /** Workers collected at the same time (`CML_CONCURRENCY`). */
  readonly concurrency: number;
  readonly ops: OpsPublisher;
  readonly logger: Logger;
  readonly metrics?: CollectorCmlMetrics;
  /** How often unfinished commands are marked in progress so JetStream does not redeliver them (default 10 s). */
  readonly heartbeatMs?: number;
  readonly now?: () => Date;
}

/** The commands of one worker in a batch: collected once, answered once per correlation id. */
interface WorkerWork {
  readonly workerId: string;
  readonly correlationIds: Set<string | undefined>;
  readonly indices: number[];
  refresh: boolean;
  /** Latest slot of the worker's scheduled commands in the batch (undefined: none carries a slot). */
  slot: number | undefined;
}

/** Why a worker's commands cause no CML call, or undefined when it is collected now. */
function skipReason(item: WorkerWork, state: WorkerState | undefined): string | undefined {
  if (state === undefined) return "unknown_worker";
  if (!isCmlCollectable(state)) return "not_collectable";
  if (!item.refresh && item.slot !== undefined && isSlotCovered(state, item.slot)) return "slot_covered";
  return undefined;
}

/**
 * Creates the batch handler of the `collector-cml` consumer. Refresh commands go first; each worker is
 * collected once per batch (with bounded concurrency, so a slow controller only holds its own lane) and its
 * telemetry is published as soon as it is read. Workers that are unknown, not RUNNING or without endpoint
 * cause no CML call, nor does a scheduled command for a slot the worker's state shows already observed.
 * Returns, per delivery, undefined (ack), a `ValidationError` (term) or a `TransientError` (publishing
 * failed: nak).
 */
export function createCmlBatchHandler(
  deps: CmlBatchHandlerDeps,
): (deliveries: readonly Delivery[]) => Promise<unknown[]> {
  const now = deps.now ?? (() => new Date());
  const heartbeatMs = deps.heartbeatMs ?? 10_000;

  return async (deliveries) => {
    const results: unknown[] = deliveries.map(() => undefined);
    const work = groupByWorker(deliveries, results);
    const runnable: Array<{ item: WorkerWork; state: CmlCollectableWorker }> = [];
    for (const item of work) {
      const state = deps.directory.get(item.workerId);
      const reason = skipReason(item, state);
      if (reason === undefined && state !== undefined && isCmlCollectable(state)) {
        runnable.push({ item, state });
        continue;
      }
      deps.metrics?.recordSkipped(reason ?? "not_collectable");
      deps.logger.debug({ workerId: item.workerId, source: "cml", reason }, "collect command skipped");
    }
    if (runnable.length === 0) return results;

    const job = startJob(deps.ops, CML_JOB_NAME, `${CML_JOB_NAME}:${randomUUID()}`);
    const pending = new Set(runnable.map(({ item }) => item));
    const heartbeat = setInterval(() => {
      for (const item of pending) for (const index of item.indices) deliveries[index]?.msg.working();
    }, heartbeatMs);
    heartbeat.unref();
    let published = 0;
    try {
      await runBounded(runnable, deps.concurrency, async ({ item, state }) => {
        try {
          published += await collectAndPublish(item, state, deps, now);
        } catch (error) {
          const failure = new TransientError(
            `publishing CML telemetry of ${item.workerId} failed: ${(error as Error).message}`,
            { cause: error },
          );
          for (const index of item.indices) results[index] = failure;
        } finally {
          pending.delete(item);
        }
      });
      job.complete(published);
    } catch (error) {
      job.fail(error);
      throw error;
    } finally {
      clearInterval(heartbeat);
    }
    return results;
  };
}

function groupByWorker(deliveries: readonly Delivery[], results: unknown[]): WorkerWork[] {
  const byWorker = new Map<string, WorkerWork>();
  deliveries.forEach((delivery, index) => {
    let command: CollectCommand;
    try {
      command = parseEventData(commands.collect, delivery.event);
    } catch (error) {
      results[index] = error;
      return;
    }
    const correlationId = correlationIdOf(delivery.event);
    const existing = byWorker.get(command.workerId);
    if (existing === undefined) {
      byWorker.set(command.workerId, {
        workerId: command.workerId,
        correlationIds: new Set([correlationId]),
        indices: [index],
        refresh: command.reason === "refresh",
        slot: command.reason === "schedule" ? command.slot : undefined,
      });
      return;
    }
    existing.indices.push(index);
    existing.correlationIds.add(correlationId);
    existing.refresh ||= command.reason === "refresh";
    if (command.reason === "schedule" && command.slot !== undefined) {
      existing.slot = Math.max(existing.slot ?? command.slot, command.slot);
    }
  });
  const work = [...byWorker.values()];
  for (const item of work) {
    // A scheduled duplicate of a refreshed worker needs no separate uncorrelated message.
    if (item.correlationIds.size > 1) item.correlationIds.delete(undefined);
  }
  return [...work.filter((item) => item.refresh), ...work.filter((item) => !item.refresh)];
}

/** Collects one worker and publishes its telemetry (one message per correlation id); returns messages sent. */
async function collectAndPublish(
  item: WorkerWork,
  state: CmlCollectableWorker,
  deps: CmlBatchHandlerDeps,
  now: () => Date,
): Promise<number> {
  let collection: CmlCollection;
  try {
    collection = await collectCmlWorker({
      workerId: item.workerId,
      // The directory's endpoint is the current one; the command's copy may predate an endpoint change.
      client: deps.clients.clientFor(item.workerId, state.httpsEndpoint),
      policy: deps.policy,
      hasCredentials: deps.hasCredentials,
      forceLicensing: item.refresh,
      knownLicenseStatus: state.licenseStatus,
    });
  } catch (error) {
    collection = failedCollectionOf(error);
  }
  deps.metrics?.recordCollection(collection);
  const observedAt = now();
  const ref = { workerId: item.workerId, region: state.region, instanceId: state.instanceId };
  if (collection.kind === "failed") {
    deps.logger.info(
      {
        workerId: item.workerId,
        source: "cml",
        correlationId: [...item.correlationIds][0],
        errorType: collection.errorType,
        err: collection.errorMessage,
        retryable: collection.retryable,
      },
      "CML collection failed",
    );
  }
  let sent = 0;
  for (const correlationId of item.correlationIds) {
    const message = cmlTelemetryMessage(ref, collection, observedAt, correlationId);
    await publishEvent(deps.js, message.subject, message.event);
    sent += 1;
  }
  return sent;
}
