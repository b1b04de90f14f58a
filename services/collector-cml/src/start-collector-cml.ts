import type { CmlCallHook, TofuPinStore } from "@cml-telemetry/cml-client";
import type { CertificatePinSetting } from "@cml-telemetry/config";
import { consumerNames, subjects, type Topology } from "@cml-telemetry/contracts";
import {
  type ConsumeLoop,
  type Logger,
  type OpsPublisher,
  openWorkersKv,
  startConsumeLoop,
} from "@cml-telemetry/messaging";
import {
  type CollectScheduler,
  createCollectScheduler,
  createWorkerDirectory,
  type WorkerDirectory,
} from "@cml-telemetry/scheduling";
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Meter } from "@opentelemetry/api";
import { type CmlClientCache, createCmlClientCache } from "./cml-client-cache.ts";
import { createCmlClientFactory } from "./cml-client-factory.ts";
import { cmlTargetOf, isCmlCollectable } from "./cml-eligibility.ts";
import { cmlSpreadSeconds } from "./cml-spread.ts";
import { createCmlBatchHandler } from "./collect-cml-batch.ts";
import { createCollectorCmlMetrics } from "./collector-cml-metrics.ts";
import { openTlsPinStore } from "./tls-pin-store.ts";
import { createWorkerReadPolicy, type WorkerReadPolicy } from "./worker-read-policy.ts";

/** How collector-cml talks to the CML controllers. */
export interface CmlAccessOptions {
  /** `CML_USERNAME`; unset = only the unauthenticated `system_information` probe runs. */
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  /** `CML_VERIFY_TLS` */
  readonly verifyTls: boolean;
  /** `CML_CA_FILE` */
  readonly caFile?: string | undefined;
  /** PEM CA bundle given directly (tests, benchmarks). */
  readonly caPem?: string | undefined;
  /** `CML_TLS_SERVER_NAME`: the name certificates must carry instead of the endpoint's host. */
  readonly serverName?: string | undefined;
  /** `CML_TLS_PIN`: trust on first use (pins in KV `cml_tls_pins`), or fixed fingerprints. */
  readonly pin?: CertificatePinSetting | undefined;
  /** `CML_TIMEOUT_SECONDS`: overall deadline of each call (connecting may take half of it). */
  readonly timeoutSeconds: number;
  /** `CML_CONCURRENCY` */
  readonly concurrency: number;
}

/** Dependencies and settings of {@link startCollectorCml}. */
export interface CollectorCmlOptions {
  readonly nc: NatsConnection;
  readonly topology: Topology;
  readonly logger: Logger;
  readonly ops: OpsPublisher;
  readonly meter?: Meter;
  readonly cml: CmlAccessOptions;
  /** `COLLECT_INTERVAL_CML_SECONDS` */
  readonly intervalSeconds: number;
  /** Run the slot ticker and directory watch of this replica (default true); false = consume commands only. */
  readonly schedule?: boolean;
  /** How often the scheduler checks the directory for newly collectable workers (default 1 s). */
  readonly directoryCheckMs?: number;
  /** Commands handled together at most (default 500). */
  readonly batchSize?: number;
  /** Age after which the cached licensing status is read again (default 10 minutes). */
  readonly licensingMaxAgeSeconds?: number;
  /** Upper bound of collections skipped between authentications after rejected credentials (default 32). */
  readonly maxAuthSkips?: number;
  /** Extra hook on every CML HTTP exchange (beside the self-metrics). */
  readonly onCall?: CmlCallHook;
  /** Where trust-on-first-use pins are kept (default: KV `cml_tls_pins` of the topology). */
  readonly pinStore?: TofuPinStore;
  readonly now?: () => number;
}

/** A running collector-cml. */
export interface CollectorCml {
  readonly directory: WorkerDirectory;
  readonly clients: CmlClientCache;
  readonly policy: WorkerReadPolicy;
  readonly scheduler: CollectScheduler | undefined;
  /** Stops scheduling, drains the consumer (the current batch finishes), closes the CML clients. */
  stop(): Promise<void>;
}

/**
 * Wires collector-cml: worker directory over KV `cml_workers`, the per-worker CML client cache, the read policy,
 * the durable `collector-cml` consumer on `cml.cmd.collect.cml.*` (whole-fetch batches) and the scheduler.
 */
export async function startCollectorCml(options: CollectorCmlOptions): Promise<CollectorCml> {
  const now = options.now ?? Date.now;
  const js = jetstream(options.nc);
  const directory = await createWorkerDirectory(
    await openWorkersKv(options.nc, options.topology),
    options.logger,
  );
  await directory.ready;
  const policy = createWorkerReadPolicy({
    now,
    ...(options.licensingMaxAgeSeconds === undefined
      ? {}
      : { licensingMaxAgeMs: options.licensingMaxAgeSeconds * 1000 }),
    ...(options.maxAuthSkips === undefined ? {} : { maxAuthSkips: options.maxAuthSkips }),
  });
  const hasCredentials = options.cml.username !== undefined && options.cml.username !== "";
  const extraHook = options.onCall;
  const pinStore =
    options.cml.pin?.kind === "tofu"
      ? (options.pinStore ?? (await openTlsPinStore(options.nc, options.topology)))
      : undefined;
  const cache = createCmlClientCache({
    logger: options.logger,
    onEvict: (workerId) => policy.forget(workerId),
    createClient: createCmlClientFactory({
      cml: options.cml,
      pinStore,
      logger: options.logger,
      onCall: (endpoint, outcome, durationMs) => {
        metrics?.onCall(endpoint, outcome, durationMs);
        extraHook?.(endpoint, outcome, durationMs);
      },
      onLabPath: (path) => metrics?.recordLabPath(path),
    }),
  });
  const metrics =
    options.meter === undefined ? undefined : createCollectorCmlMetrics(options.meter, () => cache.size());

  const batchHandler = createCmlBatchHandler({
    js,
    directory,
    clients: cache,
    policy,
    hasCredentials,
    concurrency: options.cml.concurrency,
    ops: options.ops,
    logger: options.logger,
    ...(metrics === undefined ? {} : { metrics }),
    now: () => new Date(now()),
  });
  let loop: ConsumeLoop;
  try {
    loop = await startConsumeLoop({
      nc: options.nc,
      stream: options.topology.streams.commands.name,
      durable: consumerNames.collector("cml"),
      filterSubject: subjects.collectAll("cml"),
      batchHandler,
      batchSize: options.batchSize ?? 500,
      batchMode: "whole-fetch",
      // Unfinished commands are marked in progress while a batch runs; this only bounds a crashed replica.
      ackWaitMs: 60_000,
      logger: options.logger,
    });
  } catch (error) {
    directory.stop();
    await cache.closeAll();
    throw error;
  }

  // Every slot, and as soon as the directory shows one, each RUNNING worker with an endpoint gets a command
  // (msg-id `cml:<workerId>:<slot>`); clients of workers that vanished, stopped or moved are closed on the way.
  // A slot's commands are spread over the slot, each worker at its own offset: controllers are read at an even
  // pace (no burst of thousands of TLS connections at the slot start), and a refresh never waits for a whole slot.
  const scheduler =
    options.schedule === false
      ? undefined
      : createCollectScheduler({
          js,
          service: "collector-cml",
          source: "cml",
          directory,
          intervalSeconds: options.intervalSeconds,
          isDue: isCmlCollectable,
          isEligible: isCmlCollectable,
          targetOf: cmlTargetOf,
          onDirectoryCheck: () =>
            cache.evictWhere((workerId, endpoint) => {
              const state = directory.get(workerId);
              return state === undefined || !isCmlCollectable(state) || state.httpsEndpoint !== endpoint;
            }),
          logger: options.logger,
          now,
          spreadSeconds: cmlSpreadSeconds(options.intervalSeconds, options.cml.timeoutSeconds),
          ...(options.directoryCheckMs === undefined ? {} : { directoryCheckMs: options.directoryCheckMs }),
        });
  scheduler?.start();

  return {
    directory,
    clients: cache,
    policy,
    scheduler,
    async stop() {
      await scheduler?.stop();
      await loop.stop();
      directory.stop();
      await cache.closeAll();
    },
  };
}
