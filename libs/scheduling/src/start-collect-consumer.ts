import { consumerNames, subjects, type Topology, type WorkerState } from "@cml-telemetry/contracts";
import {
  type ConsumeLoop,
  type Logger,
  type OpsPublisher,
  type Outcome,
  startConsumeLoop,
} from "@cml-telemetry/messaging";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { createCollectBatchHandler, type RegionCollector } from "./collect-batch-handler.ts";
import { createSlotPassClaims } from "./slot-pass-claims.ts";
import type { WorkerDirectory } from "./worker-directory.ts";

/** Default of {@link CollectConsumerOptions.concurrency}. */
export const DEFAULT_COLLECT_CONCURRENCY = 8;

/** An AWS-polling collector source: its consumer is `collector-<source>`, its jobs `collect-<source>`. */
export type AwsCollectSource = "ec2" | "cloudwatch";

/** Options of {@link startCollectConsumer}. */
export interface CollectConsumerOptions {
  readonly nc: NatsConnection;
  readonly topology: Topology;
  readonly source: AwsCollectSource;
  readonly directory: WorkerDirectory;
  readonly collectRegion: RegionCollector;
  /** Regions this replica has AWS clients for. */
  readonly regions: ReadonlySet<string>;
  /** Whether a worker is collected in a scheduled slot (the same rule the scheduler uses). */
  readonly isDue: (worker: WorkerState, slot: number) => boolean;
  /** Handler-side gate: a command for a worker this refuses is acknowledged without a call. */
  readonly accepts: (worker: WorkerState | undefined) => boolean;
  readonly ops: OpsPublisher;
  readonly logger: Logger;
  /** Commands handled together at most (default 1000). */
  readonly batchSize?: number;
  /**
   * Batches handled at once (default 8). A slot's commands fill several batches; the first runs the pass and the
   * others only wait for its outcome, so a refresh queued behind them is collected meanwhile instead of after them.
   */
  readonly concurrency?: number;
  /** How long commands covered by another replica's pass wait for its outcome (default 90 s). */
  readonly passWaitMs?: number;
  /** Ack wait of the consumer (default 120 s); progress is signalled every third of it. */
  readonly ackWaitMs?: number;
  readonly onCycle?: (job: "pass" | "direct", durationMs: number, workers: number) => void;
  readonly onOutcome?: (outcome: Outcome) => void;
  readonly now?: () => number;
}

/**
 * Starts the durable `collector-<source>` consumer on `cml.cmd.collect.<source>.*` of a collector replica:
 * whole-fetch batches of up to `batchSize` commands handled by {@link createCollectBatchHandler}, with slot passes
 * claimed as `collect-<source>` jobs of service `collector-<source>` and progress signalled on held commands.
 */
export async function startCollectConsumer(options: CollectConsumerOptions): Promise<ConsumeLoop> {
  const js = jetstream(options.nc);
  const ackWaitMs = options.ackWaitMs ?? 120_000;
  const service = `collector-${options.source}` as const;
  const jobName = `collect-${options.source}`;
  return await startConsumeLoop({
    nc: options.nc,
    stream: options.topology.streams.commands.name,
    durable: consumerNames.collector(options.source),
    filterSubject: subjects.collectAll(options.source),
    batchHandler: createCollectBatchHandler({
      js,
      directory: options.directory,
      claims: createSlotPassClaims({
        js,
        jsm: await jetstreamManager(options.nc),
        opsStream: options.topology.streams.ops.name,
        service,
        jobName,
        logger: options.logger,
        now: options.now,
      }),
      collectRegion: options.collectRegion,
      regions: options.regions,
      isDue: options.isDue,
      accepts: options.accepts,
      jobName,
      ops: options.ops,
      logger: options.logger,
      passWaitMs: options.passWaitMs,
      onCycle: options.onCycle,
      now: options.now,
    }),
    batchSize: options.batchSize ?? 1_000,
    batchMode: "whole-fetch",
    concurrency: options.concurrency ?? DEFAULT_COLLECT_CONCURRENCY,
    ackWaitMs,
    // A pass under throttling, or a wait for another replica's pass, may outlast the ack wait: signal progress on
    // the running and the read-ahead commands so they are not redelivered to another replica meanwhile.
    progressIntervalMs: Math.floor(ackWaitMs / 3),
    logger: options.logger,
    onOutcome: options.onOutcome,
  });
}
