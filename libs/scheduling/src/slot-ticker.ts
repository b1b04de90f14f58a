import { slotOf } from "./slots.ts";

/** Logging surface used by the ticker. */
export interface TickerLogger {
  warn(fields: object, message?: string): void;
}

/** A ticker that calls `onSlot` once per slot, at the slot start (plus `offsetMs`), and once immediately at start. */
export interface SlotTicker {
  start(): void;
  /** Stops ticking and waits for a running `onSlot` to finish. */
  stop(): Promise<void>;
}

export interface SlotTickerOptions {
  readonly intervalSeconds: number;
  readonly onSlot: (slot: number) => Promise<void>;
  readonly logger: TickerLogger;
  /** Delay after the slot boundary, ms (default 0). */
  readonly offsetMs?: number;
  readonly now?: () => number;
}

/** Creates a slot ticker. A slot whose `onSlot` is still running when the next is due is skipped, not queued. */
export function createSlotTicker(options: SlotTickerOptions): SlotTicker {
  const now = options.now ?? Date.now;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;
  let lastSlot = -1;

  function fire(): void {
    const slot = slotOf(now(), options.intervalSeconds);
    if (slot !== lastSlot && running === undefined) {
      lastSlot = slot;
      running = options
        .onSlot(slot)
        .catch((error: unknown) =>
          options.logger.warn({ slot, err: (error as Error).message }, "schedule slot failed"),
        )
        .finally(() => {
          running = undefined;
        });
    }
    scheduleNext();
  }

  function scheduleNext(): void {
    if (stopped) return;
    const intervalMs = options.intervalSeconds * 1000;
    const current = now();
    const nextBoundary = (slotOf(current, options.intervalSeconds) + options.intervalSeconds) * 1000;
    const delay = Math.max(10, Math.min(intervalMs, nextBoundary - current + (options.offsetMs ?? 0)));
    timer = setTimeout(fire, delay);
    timer.unref?.();
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      fire();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
