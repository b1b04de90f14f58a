import { consumerNames, subjects, type Topology } from "@cml-telemetry/contracts";
import {
  type ConsumeLoop,
  createAckedPublisher,
  type Logger,
  type OpsPublisher,
  openWorkersKv,
  startConsumeLoop,
} from "@cml-telemetry/messaging";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { type AggregateMetrics, noopAggregateMetrics } from "./aggregate/aggregate-metrics.ts";
import { detectIdleWorkers } from "./aggregate/detect-idle-workers.ts";
import { createBatchHandler } from "./aggregate/handle-batch.ts";
import { type IdleTicker, startIdleTicker } from "./aggregate/idle-ticker.ts";
import { createOutboxPublisher } from "./aggregate/outbox-publisher.ts";
import type { WorkerProcessorDeps } from "./aggregate/process-worker.ts";
import { type OutboxRecoveryProgress, startOutboxRecovery } from "./aggregate/recover-outboxes.ts";
import { createWorkerLocks } from "./aggregate/worker-locks.ts";
import { createCachedWorkerStore } from "./store/cached-worker-store.ts";
import { createWorkerStore } from "./store/worker-store.ts";

/** Everything one aggregate instance needs; the topology must already be provisioned. */
export interface WorkerAggregateOptions {
  readonly nc: NatsConnection;
  readonly topology: Topology;
  readonly logger: Logger;
  readonly ops: OpsPublisher;
  readonly thresholdMinutes: number;
  /** Seconds between idle-detection ticks; 0 = no ticker (ticks can still arrive as commands). */
  readonly idleCheckIntervalSeconds: number;
  readonly clock?: () => Date;
  readonly metrics?: AggregateMetrics;
  /** Messages per fetch of the telemetry consumer (default 256). */
  readonly batchSize?: number;
  /** Telemetry batches applied at the same time (default 4; each worker's inputs still apply in order). */
  readonly concurrency?: number;
  /** `eager` (default) hands over what arrived at once; `whole-fetch` packs more observations per worker into a batch. */
  readonly batchMode?: "eager" | "whole-fetch";
  /** Records this instance keeps (its writes and reads) to skip KV reads (default 20,000; 0 = none). */
  readonly recordCacheSize?: number;
  /**
   * Called as the start-up outbox scan moves on (it goes on in the background after a first pass over every worker,
   * retrying the workers whose check failed).
   */
  readonly onRecoveryProgress?: (progress: OutboxRecoveryProgress) => void;
  /** Called for every message outcome (ack/nak/term). */
  readonly onOutcome?: (outcome: "ack" | "nak" | "term", subject: string, type: string | undefined) => void;
}

/** A running aggregate instance. */
export interface WorkerAggregate {
  /** Stops the ticker, drains both consume loops (in-flight batches finish and are acked). */
  stop(): Promise<void>;
}

/**
 * Starts one worker-aggregate instance: publishes outboxes left by a crash (a first pass over every worker; retries go
 * on in the background), then consumes CML_TELEMETRY
 * (`worker-aggregate`) and `cml.cmd.worker.>` on CML_COMMANDS (`worker-aggregate-commands`), and ticks idle detection.
 * Any number of instances may share the durable consumers.
 */
export async function startWorkerAggregate(options: WorkerAggregateOptions): Promise<WorkerAggregate> {
  const clock = options.clock ?? (() => new Date());
  const js = jetstream(options.nc);
  const kv = await openWorkersKv(options.nc, options.topology);
  const acked = createAckedPublisher(options.nc);
  const maxPayload = options.nc.info?.max_payload;
  const store = createWorkerStore(kv, {
    writes: { publisher: acked, bucket: options.topology.kv.workers.bucket },
    ...(maxPayload ? { maxRecordBytes: maxPayload } : {}),
  });
  const deps: WorkerProcessorDeps = {
    store:
      options.recordCacheSize === 0
        ? store
        : createCachedWorkerStore(store, { maxEntries: options.recordCacheSize ?? 20_000 }),
    publisher: createOutboxPublisher(acked, await jetstreamManager(options.nc), {
      stream: options.topology.streams.workerEvents.name,
      clock,
    }),
    metrics: options.metrics ?? noopAggregateMetrics,
    logger: options.logger,
    clock,
    locks: createWorkerLocks(),
  };
  const recovery = startOutboxRecovery(deps, {
    ...(options.onRecoveryProgress ? { onProgress: options.onRecoveryProgress } : {}),
  });
  // Consuming needs no finished scan (every decision checks the outbox it loads first), only a first try at each.
  await recovery.firstPass;
  const handlerDeps = {
    ...deps,
    onDetectIdle: (tick: Parameters<typeof detectIdleWorkers>[1]) =>
      detectIdleWorkers({ ...deps, ops: options.ops, thresholdMinutes: options.thresholdMinutes }, tick),
  };
  const batchHandler = createBatchHandler(handlerDeps);
  const loops: ConsumeLoop[] = [];
  loops.push(
    await startConsumeLoop({
      nc: options.nc,
      stream: options.topology.streams.telemetry.name,
      durable: consumerNames.aggregateTelemetry,
      filterSubject: subjects.telemetryAll,
      logger: options.logger,
      batchHandler,
      batchSize: options.batchSize ?? 256,
      concurrency: options.concurrency ?? 4,
      batchMode: options.batchMode ?? "eager",
      onOutcome: options.onOutcome,
    }),
  );
  loops.push(
    await startConsumeLoop({
      nc: options.nc,
      stream: options.topology.streams.commands.name,
      durable: consumerNames.aggregateCommands,
      filterSubject: subjects.workerCommandsAll,
      logger: options.logger,
      batchHandler,
      batchSize: 32,
      // An idle scan over a large fleet may take a while; the command must not be redelivered meanwhile.
      ackWaitMs: 120_000,
      onOutcome: options.onOutcome,
    }),
  );
  let ticker: IdleTicker | undefined;
  if (options.idleCheckIntervalSeconds > 0) {
    ticker = startIdleTicker({
      js,
      intervalSeconds: options.idleCheckIntervalSeconds,
      clock,
      logger: options.logger,
    });
  }
  return {
    async stop() {
      ticker?.stop();
      await Promise.all([recovery.stop(), ...loops.map((loop) => loop.stop())]);
      acked.close();
    },
  };
}
