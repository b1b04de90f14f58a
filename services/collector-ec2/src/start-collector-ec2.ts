import type { EC2Client } from "@aws-sdk/client-ec2";
import { type AwsCollectorOptions, type AwsCollectRules, openAwsCollectorBase } from "@cml-telemetry/aws";
import { consumerNames, subjects } from "@cml-telemetry/contracts";
import { type ConsumeLoop, type Delivery, startConsumeLoop } from "@cml-telemetry/messaging";
import type { CollectScheduler, SlotTicker, WorkerDirectory } from "@cml-telemetry/scheduling";
import { jetstream } from "@nats-io/jetstream";
import { createAmiNameCache } from "./ami-name-cache.ts";
import { createDiscoveryHandler, type DiscoveryOutcome } from "./discovery-handler.ts";
import { createDiscoveryScheduler } from "./discovery-scheduler.ts";
import { isEc2Due, isEc2Eligible } from "./ec2-schedule-rules.ts";
import { createEc2StatusCollector } from "./ec2-status-collector.ts";
import type { WorkerTag } from "./worker-tag.ts";

/** Dependencies and settings of {@link startCollectorEc2}. */
export interface CollectorEc2Options extends AwsCollectorOptions<EC2Client> {
  readonly tag: WorkerTag;
  /** `COLLECT_INTERVAL_EC2_SECONDS` */
  readonly intervalSeconds: number;
  /** `DISCOVERY_INTERVAL_SECONDS` */
  readonly discoveryIntervalSeconds: number;
  /** `EC2_NOT_FOUND_GRACE_SECONDS`: how long NotFound must last before a worker seen existing is terminated (900). */
  readonly notFoundGraceSeconds?: number;
  readonly onDiscovered?: (outcome: DiscoveryOutcome) => void;
}

/** EC2 status: every worker that is not terminated, in every slot; the handler refuses no command. */
const EC2_RULES: AwsCollectRules = {
  source: "ec2",
  isDue: isEc2Due,
  isEligible: isEc2Eligible,
  accepts: () => true,
};

/** Runs a per-message handler over a batch concurrently, returning each message's error (or undefined). */
function concurrently(
  handler: (delivery: Delivery) => Promise<void>,
): (deliveries: readonly Delivery[]) => Promise<unknown[]> {
  return (deliveries) =>
    Promise.all(
      deliveries.map((delivery) =>
        handler(delivery).then(
          () => undefined,
          (error: unknown) => error ?? new Error("handler failed"),
        ),
      ),
    );
}

/** A running collector-ec2 replica. */
export interface CollectorEc2 {
  readonly directory: WorkerDirectory;
  readonly scheduler: CollectScheduler | undefined;
  /** Stops the tickers, drains both consumers (the current batch finishes), stops the directory. */
  stop(): Promise<void>;
}

/**
 * Wires collector-ec2: the worker directory over KV `cml_workers`, the durable discovery consumer on
 * `cml.cmd.discover.ec2.*`, the durable `collector-ec2` consumer on `cml.cmd.collect.ec2.*` (whole-fetch batches
 * packed into `DescribeInstanceStatus` calls of 100 ids), the collect scheduler and the discovery ticker.
 */
export async function startCollectorEc2(options: CollectorEc2Options): Promise<CollectorEc2> {
  const now = options.now ?? Date.now;
  const js = jetstream(options.nc);
  const regions = [...options.clients.keys()];
  const base = await openAwsCollectorBase(options, "EC2");
  const { directory, metrics, caller, clientFor } = base;
  const collectRegion = createEc2StatusCollector({
    clientFor,
    caller,
    logger: options.logger,
    workerState: (workerId) => directory.get(workerId),
    notFoundGraceSeconds: options.notFoundGraceSeconds,
    onFailure: (errorType) => metrics?.recordError(errorType),
    now: () => new Date(now()),
  });
  const loops: ConsumeLoop[] = [];
  const stopLoops = async (): Promise<void> => {
    await Promise.all(loops.map((loop) => loop.stop()));
  };
  try {
    loops.push(
      await startConsumeLoop({
        nc: options.nc,
        stream: options.topology.streams.commands.name,
        durable: consumerNames.discovery,
        filterSubject: subjects.discoverAll,
        // Regions are discovered concurrently: one region's slow pages never delay another's.
        batchHandler: concurrently(
          createDiscoveryHandler({
            js,
            regions,
            clientFor,
            caller,
            tag: options.tag,
            amiNames: createAmiNameCache({
              clientFor,
              caller,
              now,
              onError: (region, error) =>
                options.logger.warn({ region, err: (error as Error).message }, "AMI name could not be read"),
            }),
            directory,
            checkMissing: collectRegion,
            ops: options.ops,
            logger: options.logger,
            onDiscovered: (outcome, durationMs) => {
              metrics?.recordCycle("discovery", durationMs, outcome.instances);
              options.onDiscovered?.(outcome);
            },
            now: () => new Date(now()),
          }),
        ),
        batchSize: 10,
        ackWaitMs: 120_000,
        // A discovery slowed by throttling must not be redelivered to another replica mid-way.
        progressIntervalMs: 40_000,
        logger: options.logger,
        ...(metrics ? { onOutcome: metrics.onOutcome } : {}),
      }),
    );
    loops.push(await base.startCollectConsumer(EC2_RULES, collectRegion));
  } catch (error) {
    await stopLoops();
    directory.stop();
    throw error;
  }

  const scheduler = base.createCollectScheduler(EC2_RULES, js);
  let discovery: SlotTicker | undefined;
  if (scheduler) {
    discovery = createDiscoveryScheduler({
      js,
      regions,
      intervalSeconds: options.discoveryIntervalSeconds,
      logger: options.logger,
      now,
    });
    discovery.start();
    scheduler.start();
  }
  return {
    directory,
    scheduler,
    async stop() {
      await discovery?.stop();
      await scheduler?.stop();
      await stopLoops();
      directory.stop();
    },
  };
}
