import type { EC2Client } from "@aws-sdk/client-ec2";
import { type AwsCaller, createAwsCaller, regionClientLookup } from "@cml-telemetry/aws";
import { consumerNames, type PriceEntry, subjects, type Topology } from "@cml-telemetry/contracts";
import type { IdleStopPolicyConfig } from "@cml-telemetry/lifecycle";
import { type ConsumeLoop, type Logger, startConsumeLoop } from "@cml-telemetry/messaging";
import {
  createSlotPassClaims,
  createSlotTicker,
  openWorkerDirectory,
  type SlotTicker,
  type WorkerDirectory,
} from "@cml-telemetry/scheduling";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { runIdlePolicyPass } from "./idle/idle-policy-pass.ts";
import { createEc2InstanceLifecycle } from "./lifecycle/ec2-instance-lifecycle.ts";
import { createLifecycleCommandHandler } from "./lifecycle/lifecycle-command-handler.ts";
import { createKvRequestClaims } from "./lifecycle/request-claims.ts";
import type { LifecycleMetrics } from "./metrics/lifecycle-metrics.ts";
import { checkLifecyclePermissions, type PermissionCheck } from "./permissions/check-permissions.ts";
import { createPriceRefresher, type PriceRefresher } from "./prices/price-refresher.ts";
import type { PricingLookup } from "./prices/pricing-lookup.ts";

/** Everything one worker-lifecycle replica needs; the topology must already be provisioned. */
export interface WorkerLifecycleOptions {
  readonly nc: NatsConnection;
  readonly topology: Topology;
  readonly logger: Logger;
  /** One EC2 client per region served (`CML_REGIONS`). */
  readonly ec2Clients: ReadonlyMap<string, EC2Client>;
  /** The Price List Query API lookup, given the replica's AWS caller (which counts and backs off its calls). */
  readonly pricing: (caller: AwsCaller) => PricingLookup;
  /** `PRICES_FILE` entries by price key. */
  readonly priceFileEntries: ReadonlyMap<string, PriceEntry>;
  readonly policy: IdleStopPolicyConfig;
  /** `IDLE_CHECK_INTERVAL_SECONDS`: one idle-policy pass per slot of this length; 0 = no passes. */
  readonly idleCheckIntervalSeconds: number;
  /**
   * How often the fleet's (region, type) pairs are checked for a missing or day-old price (default 60 s: a new type
   * gets its price within a minute; a check without anything due costs one KV read per pair; 0 = never).
   */
  readonly priceRefreshIntervalMs?: number;
  /** Ack wait of the lifecycle consumer, and the age after which an unfinished claim is taken over (default 60 s). */
  readonly ackWaitMs?: number;
  /** Lifecycle commands handled at the same time (default 8). */
  readonly concurrency?: number;
  readonly now?: () => number;
  readonly metrics?: LifecycleMetrics;
  /** Called when the start-up permission checks are done. */
  readonly onPermissions?: (checks: readonly PermissionCheck[]) => void;
}

/** A running worker-lifecycle replica. */
export interface WorkerLifecycle {
  readonly directory: WorkerDirectory;
  /** The start-up DryRun permission checks. */
  readonly permissions: Promise<readonly PermissionCheck[]>;
  readonly prices: PriceRefresher;
  /** Stops the tickers, drains the consumer (requests in hand finish), stops the directory. */
  stop(): Promise<void>;
}

const DEFAULT_ACK_WAIT_MS = 60_000;
const DEFAULT_PRICE_REFRESH_MS = 60_000;

/**
 * Wires worker-lifecycle: the worker directory over KV `cml_workers`, the durable `worker-lifecycle` consumer on
 * `cml.cmd.lifecycle.>` (each request executed once across replicas through KV `cml_lifecycle_requests`), the idle
 * auto-stop ticker (one pass per region and slot across replicas), the price refresher writing KV `cml_prices`, and the
 * start-up DryRun permission checks (in the background: they never hold the consumer up).
 */
export async function startWorkerLifecycle(options: WorkerLifecycleOptions): Promise<WorkerLifecycle> {
  const now = options.now ?? Date.now;
  const js = jetstream(options.nc);
  const kvm = new Kvm(js);
  const ackWaitMs = options.ackWaitMs ?? DEFAULT_ACK_WAIT_MS;
  const caller = createAwsCaller({ ...(options.metrics ? { observe: options.metrics.observeAwsCall } : {}) });
  const clientFor = regionClientLookup(options.ec2Clients, "EC2");
  const directory = await openWorkerDirectory(options.nc, options.topology, options.logger);
  const claims = createKvRequestClaims(await kvm.open(options.topology.kv.lifecycleRequests.bucket), {
    staleAfterMs: ackWaitMs,
    now,
  });
  const handler = createLifecycleCommandHandler({
    js,
    claims,
    instances: createEc2InstanceLifecycle({ clientFor, caller }),
    now: () => new Date(now()),
    logger: options.logger,
    ...(options.metrics ? { onOutcome: options.metrics.recordRequest } : {}),
  });
  let loop: ConsumeLoop;
  try {
    loop = await startConsumeLoop({
      nc: options.nc,
      stream: options.topology.streams.commands.name,
      durable: consumerNames.lifecycle,
      filterSubject: subjects.lifecycleAll,
      handler,
      batchSize: 1,
      concurrency: options.concurrency ?? 8,
      ackWaitMs,
      // A request slowed by throttling must not be redelivered to another replica meanwhile.
      progressIntervalMs: Math.floor(ackWaitMs / 3),
      logger: options.logger,
      ...(options.metrics ? { onOutcome: options.metrics.onOutcome } : {}),
    });
  } catch (error) {
    directory.stop();
    throw error;
  }

  let ticker: SlotTicker | undefined;
  if (options.idleCheckIntervalSeconds > 0 && options.policy.mode !== "off") {
    const passClaims = createSlotPassClaims({
      js,
      jsm: await jetstreamManager(options.nc),
      opsStream: options.topology.streams.ops.name,
      service: "worker-lifecycle",
      jobName: "idle-policy",
      logger: options.logger,
      now,
    });
    ticker = createSlotTicker({
      intervalSeconds: options.idleCheckIntervalSeconds,
      logger: options.logger,
      now,
      onSlot: async (slot) => {
        const startedAt = performance.now();
        const results = await runIdlePolicyPass(
          {
            js,
            directory,
            claims: passClaims,
            policy: options.policy,
            now: () => new Date(now()),
            logger: options.logger,
            ...(options.metrics ? { onDecision: options.metrics.recordIdleDecision } : {}),
          },
          slot,
        );
        if (results.length > 0) options.metrics?.recordIdlePass(performance.now() - startedAt);
      },
    });
    ticker.start();
  }

  const prices = createPriceRefresher({
    kv: await kvm.open(options.topology.kv.prices.bucket),
    lookup: options.pricing(caller),
    pairs: function* () {
      for (const state of directory.list()) {
        if (state.terminatedAt === null && state.instanceType !== null && state.region !== "")
          yield [state.region, state.instanceType] as const;
      }
    },
    fileEntries: options.priceFileEntries,
    now,
    logger: options.logger,
  });
  let refreshing: Promise<void> | undefined;
  const refreshPrices = (): void => {
    // One refresh at a time: a slow one (throttled Price List calls) is not overtaken by the next tick.
    refreshing ??= prices
      .refresh()
      .then((result) => {
        if (result.written + result.removed + result.failed > 0)
          options.logger.info(result, "prices refreshed");
      })
      .catch((error: unknown) =>
        options.logger.warn({ err: (error as Error).message }, "prices could not be refreshed"),
      )
      .finally(() => {
        refreshing = undefined;
      });
  };
  const priceRefreshMs = options.priceRefreshIntervalMs ?? DEFAULT_PRICE_REFRESH_MS;
  const priceTimer = priceRefreshMs > 0 ? setInterval(refreshPrices, priceRefreshMs) : undefined;
  priceTimer?.unref();
  if (priceRefreshMs > 0) refreshPrices();

  const instanceIdFor = (region: string): string | undefined =>
    directory
      .list()
      .find((state) => state.region === region && state.terminatedAt === null && state.instanceId !== "")
      ?.instanceId;
  const permissions = checkLifecyclePermissions({
    regions: [...options.ec2Clients.keys()],
    clientFor,
    instanceIdFor,
  }).then((checks) => {
    options.metrics?.setPermissions(checks);
    options.onPermissions?.(checks);
    return checks;
  });

  return {
    directory,
    permissions,
    prices,
    async stop() {
      clearInterval(priceTimer);
      await refreshing;
      await ticker?.stop();
      await loop.stop();
      await permissions.catch(() => undefined);
      directory.stop();
    },
  };
}
