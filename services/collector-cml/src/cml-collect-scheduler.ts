import type { Logger } from "@cml-telemetry/messaging";
import {
  createSlotTicker,
  publishCollectCommands,
  slotOf,
  type WorkerDirectory,
} from "@cml-telemetry/scheduling";
import type { JetStreamClient } from "@nats-io/jetstream";
import type { CmlClientCache } from "./cml-client-cache.ts";
import { cmlTargetOf, isCmlCollectable } from "./cml-eligibility.ts";

/** Publishes CML collect commands per slot, and at once for workers that just became collectable. */
export interface CmlCollectScheduler {
  start(): void;
  stop(): Promise<void>;
  /** One pass of the directory watch: commands for newly collectable workers, eviction of stale clients. */
  checkDirectory(): Promise<void>;
}

/** Dependencies of {@link createCmlCollectScheduler}. */
export interface CmlCollectSchedulerDeps {
  readonly js: JetStreamClient;
  readonly directory: Pick<WorkerDirectory, "list" | "get">;
  readonly clients: CmlClientCache;
  /** `COLLECT_INTERVAL_CML_SECONDS` */
  readonly intervalSeconds: number;
  readonly logger: Logger;
  /** How often the directory is checked for newly collectable workers (default 1 s). */
  readonly directoryCheckMs?: number;
  readonly now?: () => number;
}

/**
 * Creates the scheduler of one replica. Every slot publishes one command per RUNNING worker with an endpoint
 * (msg-id `cml:<workerId>:<slot>`, so N replicas publish each once). Between slots it watches the directory: a
 * worker that became collectable gets its command for the current slot right away (same msg-id, no duplicate),
 * and the clients of workers that vanished, stopped or moved to another endpoint are closed.
 */
export function createCmlCollectScheduler(deps: CmlCollectSchedulerDeps): CmlCollectScheduler {
  const now = deps.now ?? Date.now;
  let known = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let checking: Promise<void> | undefined;

  async function publishFor(workerIds: readonly string[], slot: number): Promise<void> {
    const targets = workerIds
      .map((id) => deps.directory.get(id))
      .filter((state) => state !== undefined && isCmlCollectable(state))
      .map((state) => cmlTargetOf(state));
    if (targets.length === 0) return;
    const result = await publishCollectCommands({
      js: deps.js,
      service: "collector-cml",
      source: "cml",
      targets,
      reason: "schedule",
      slot,
    });
    deps.logger.debug({ slot, ...result }, "CML collect commands published");
  }

  function collectableIds(): string[] {
    return deps.directory
      .list()
      .filter(isCmlCollectable)
      .map((state) => state.id);
  }

  function evictStaleClients(): void {
    deps.clients.evictWhere((workerId, endpoint) => {
      const state = deps.directory.get(workerId);
      return state === undefined || !isCmlCollectable(state) || state.httpsEndpoint !== endpoint;
    });
  }

  async function onSlot(slot: number): Promise<void> {
    const ids = collectableIds();
    known = new Set(ids);
    evictStaleClients();
    await publishFor(ids, slot);
  }

  async function checkDirectory(): Promise<void> {
    const ids = collectableIds();
    const fresh = ids.filter((id) => !known.has(id));
    known = new Set(ids);
    evictStaleClients();
    if (fresh.length > 0) await publishFor(fresh, slotOf(now(), deps.intervalSeconds));
  }

  const ticker = createSlotTicker({
    intervalSeconds: deps.intervalSeconds,
    onSlot,
    logger: deps.logger,
    now,
  });

  function scheduleCheck(): void {
    timer = setTimeout(() => {
      checking = checkDirectory()
        .catch((error: unknown) =>
          deps.logger.warn(
            { err: (error as Error).message },
            "publishing commands for new CML workers failed",
          ),
        )
        .finally(() => {
          checking = undefined;
          if (timer !== undefined) scheduleCheck();
        });
    }, deps.directoryCheckMs ?? 1_000);
    timer.unref();
  }

  return {
    start() {
      ticker.start();
      scheduleCheck();
    },
    async stop() {
      const current = timer;
      timer = undefined;
      if (current !== undefined) clearTimeout(current);
      await checking;
      await ticker.stop();
    },
    checkDirectory,
  };
}
