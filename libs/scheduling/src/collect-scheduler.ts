import type { ServiceName, Source, WorkerState } from "@cml-telemetry/contracts";
import type { Logger } from "@cml-telemetry/messaging";
import type { JetStreamClient } from "@nats-io/jetstream";
import { type CollectCommandTarget, publishCollectCommands } from "./publish-collect-commands.ts";
import { planSpread, type SpreadPlan, takeDue } from "./slot-spread.ts";
import { createSlotTicker } from "./slot-ticker.ts";
import { slotOf } from "./slots.ts";
import type { WorkerDirectory } from "./worker-directory.ts";

/** The scheduling side of a collector replica. */
export interface CollectScheduler {
  start(): void;
  stop(): Promise<void>;
  /** Publishes the commands of one slot now (what the ticker does at each slot). */
  publishSlot(slot: number): Promise<{ published: number; duplicates: number }>;
}

/** Options of {@link createCollectScheduler}. */
export interface CollectSchedulerOptions {
  readonly js: JetStreamClient;
  readonly service: ServiceName;
  readonly source: Source;
  readonly directory: WorkerDirectory;
  readonly intervalSeconds: number;
  /** Whether a worker's command belongs to a slot (also used by the handler's slot pass). */
  readonly isDue: (worker: WorkerState, slot: number) => boolean;
  /** Whether a worker is collectable at all; a worker that becomes so is scheduled in the current slot at once. */
  readonly isEligible: (worker: WorkerState) => boolean;
  /** The command target of a worker (default: its id, region and instance id). */
  readonly targetOf?: (worker: WorkerState) => CollectCommandTarget;
  /** Called before every slot and directory check (e.g. to drop what belongs to workers no longer eligible). */
  readonly onDirectoryCheck?: () => void;
  readonly logger: Logger;
  /** How often the directory is checked for newly eligible workers (default 1000 ms). */
  readonly directoryCheckMs?: number;
  /**
   * Spread each slot's commands over this many seconds from the slot start, each worker at its own fixed offset
   * (default 0: all at the slot start). Collection then runs at an even pace instead of in one burst per slot, and a
   * refresh command never queues behind a whole slot of scheduled ones.
   */
  readonly spreadSeconds?: number;
  readonly now?: () => number;
}

/** How often a spread slot's due commands are published (ms). */
const SPREAD_STEP_MS = 250;

/**
 * Creates a collector's scheduler: at every slot it publishes the commands of the workers due in it (msg-id
 * `<source>:<workerId>:<slot>`, so replicas publish each once), at the slot start or, with `spreadSeconds`, each
 * at its worker's offset in the slot; and when the directory shows a worker that is new or newly eligible (or at
 * start) it publishes that worker's command for the current slot right away.
 */
export function createCollectScheduler(options: CollectSchedulerOptions): CollectScheduler {
  const now = options.now ?? Date.now;
  const spreadMs = Math.max(0, Math.min(options.spreadSeconds ?? 0, options.intervalSeconds) * 1000);
  // Empty at start: every collectable worker is scheduled in the current slot at once, even one not due in it.
  let eligible = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let checking: Promise<void> | undefined;
  let plan: SpreadPlan<WorkerState> | undefined;
  let stepTimer: NodeJS.Timeout | undefined;
  let stepping: Promise<unknown> = Promise.resolve();

  const targetOf =
    options.targetOf ??
    ((worker: WorkerState): CollectCommandTarget => ({
      workerId: worker.id,
      region: worker.region,
      instanceId: worker.instanceId,
    }));

  async function publish(targets: WorkerState[], slot: number) {
    return await publishCollectCommands({
      js: options.js,
      service: options.service,
      source: options.source,
      targets: targets.map(targetOf),
      reason: "schedule",
      slot,
    });
  }

  async function publishSlot(slot: number) {
    options.onDirectoryCheck?.();
    const due = options.directory.list().filter((worker) => options.isDue(worker, slot));
    const result = await publish(due, slot);
    options.logger.debug({ slot, due: due.length, ...result }, "slot commands published");
    return result;
  }

  /** Plans a slot's commands over the spread and publishes those already due (the rest go out step by step). */
  async function planSlot(slot: number) {
    options.onDirectoryCheck?.();
    // What the previous plan still holds goes out now, under its own slot: no worker misses a slot.
    const left = plan === undefined ? [] : takeDue(plan, Number.POSITIVE_INFINITY, options.intervalSeconds);
    if (plan !== undefined && left.length > 0) await publish(left, plan.slot);
    const due = options.directory.list().filter((worker) => options.isDue(worker, slot));
    plan = planSpread(slot, due, (worker) => worker.id, spreadMs);
    options.logger.debug({ slot, due: due.length, spreadMs }, "slot commands planned");
    await publishDue();
  }

  /** Publishes the planned commands whose offset has come. */
  async function publishDue(): Promise<void> {
    if (plan === undefined) return;
    const due = takeDue(plan, now(), options.intervalSeconds);
    if (due.length > 0) await publish(due, plan.slot);
  }

  async function checkDirectory(): Promise<void> {
    options.onDirectoryCheck?.();
    const workers = options.directory.list().filter(options.isEligible);
    const current = new Set(workers.map((worker) => worker.id));
    const previous = eligible;
    eligible = current;
    const fresh = workers.filter((worker) => !previous.has(worker.id));
    if (fresh.length === 0) return;
    const slot = slotOf(now(), options.intervalSeconds);
    await publish(fresh, slot);
    options.logger.info(
      { slot, workers: fresh.length },
      "newly collectable workers scheduled in the current slot",
    );
  }

  const ticker = createSlotTicker({
    intervalSeconds: options.intervalSeconds,
    logger: options.logger,
    now,
    onSlot: async (slot) => {
      if (spreadMs === 0) await publishSlot(slot);
      else await planSlot(slot);
    },
  });

  const step = (): void => {
    stepping = publishDue()
      .catch((error: unknown) =>
        options.logger.warn({ err: (error as Error).message }, "publishing spread commands failed"),
      )
      .finally(() => {
        if (stepTimer === undefined) return;
        stepTimer = setTimeout(step, SPREAD_STEP_MS);
        stepTimer.unref();
      });
  };

  return {
    publishSlot,
    start() {
      ticker.start();
      if (spreadMs > 0) {
        stepTimer = setTimeout(step, SPREAD_STEP_MS);
        stepTimer.unref();
      }
      const tick = (): void => {
        checking = checkDirectory()
          .catch((error: unknown) =>
            options.logger.warn(
              { err: (error as Error).message },
              "scheduling newly collectable workers failed",
            ),
          )
          .finally(() => {
            checking = undefined;
            timer = setTimeout(tick, options.directoryCheckMs ?? 1_000);
            timer.unref();
          });
      };
      tick();
    },
    async stop() {
      if (timer) clearTimeout(timer);
      const stepper = stepTimer;
      stepTimer = undefined;
      clearTimeout(stepper);
      await checking;
      if (timer) clearTimeout(timer);
      await ticker.stop();
      await stepping;
    },
  };
}
