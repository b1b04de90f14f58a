import type { ConsumeLoop } from "@cml-telemetry/messaging";
import {
  type CollectScheduler,
  openWorkerDirectory,
  type RegionCollector,
  type WorkerDirectory,
} from "@cml-telemetry/scheduling";
import type { JetStreamClient } from "@nats-io/jetstream";
import type { AwsCaller } from "./aws-caller.ts";
import { regionClientLookup } from "./client-options.ts";
import { createCollectorInstruments } from "./collector-instruments.ts";
import type { CollectorMetrics } from "./collector-metrics.ts";
import type { AwsCollectorOptions } from "./collector-options.ts";
import {
  type AwsCollectRules,
  createAwsCollectScheduler,
  startAwsCollectConsumer,
} from "./collector-wiring.ts";

/** What every AWS collector replica builds first. */
export interface AwsCollectorBase<Client> {
  /** The worker directory over KV `cml_workers`, with its initial values loaded. */
  readonly directory: WorkerDirectory;
  /** Self-metrics; absent without `options.meter`. */
  readonly metrics: CollectorMetrics | undefined;
  /** Counts every AWS call and backs off on throttling. */
  readonly caller: AwsCaller;
  /** The client of a region; a `RangeError` naming `service` for a region without one. */
  readonly clientFor: (region: string) => Client;
  /** {@link startAwsCollectConsumer} with this base's directory and metrics. */
  startCollectConsumer(rules: AwsCollectRules, collectRegion: RegionCollector): Promise<ConsumeLoop>;
  /** {@link createAwsCollectScheduler} with this base's directory (not started; undefined without scheduling). */
  createCollectScheduler(rules: AwsCollectRules, js: JetStreamClient): CollectScheduler | undefined;
}

/**
 * Opens the worker directory and creates the self-metrics, the AWS caller and the client lookup of a collector, and
 * binds its collect consumer and scheduler to them.
 */
export async function openAwsCollectorBase<Client>(
  options: AwsCollectorOptions<Client>,
  service: string,
): Promise<AwsCollectorBase<Client>> {
  const directory = await openWorkerDirectory(options.nc, options.topology, options.logger);
  const { metrics, caller } = createCollectorInstruments({
    meter: options.meter,
    workers: () => directory.list(),
    onAwsCall: options.onAwsCall,
    throttleBackoff: options.throttleBackoff,
  });
  return {
    directory,
    metrics,
    caller,
    clientFor: regionClientLookup(options.clients, service),
    startCollectConsumer: (rules, collectRegion) =>
      startAwsCollectConsumer(options, { rules, directory, metrics, collectRegion }),
    createCollectScheduler: (rules, js) => createAwsCollectScheduler(options, { rules, directory, js }),
  };
}
