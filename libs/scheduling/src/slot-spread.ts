/**
 * Where in its slot a worker's scheduled command goes out: a fixed offset per worker (ms), in `[0, spreadMs)`, from
 * a hash of its id. The same worker always gets the same offset, so it is collected once per interval however the
 * slot's commands are spread.
 */
export function spreadOffsetMs(workerId: string, spreadMs: number): number {
  if (spreadMs <= 0) return 0;
  // 32-bit FNV-1a: cheap, and even enough over worker ids (UUIDs).
  let hash = 0x811c9dc5;
  for (let i = 0; i < workerId.length; i++) {
    hash ^= workerId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % Math.floor(spreadMs);
}

/** A slot's commands still to go out, in offset order. */
export interface SpreadPlan<T> {
  readonly slot: number;
  /** Not yet published, ascending by `offsetMs`. */
  readonly pending: Array<{ readonly offsetMs: number; readonly item: T }>;
}

/** Plans a slot: every item with its offset, in the order they are due. */
export function planSpread<T>(
  slot: number,
  items: readonly T[],
  keyOf: (item: T) => string,
  spreadMs: number,
): SpreadPlan<T> {
  const pending = items
    .map((item) => ({ offsetMs: spreadOffsetMs(keyOf(item), spreadMs), item }))
    .sort((a, b) => a.offsetMs - b.offsetMs);
  return { slot, pending };
}

/**
 * Takes the items due by `nowMs` out of the plan (all of them once the plan's slot is over, so none is lost when a
 * step comes late).
 */
export function takeDue<T>(plan: SpreadPlan<T>, nowMs: number, intervalSeconds: number): T[] {
  const slotStartMs = plan.slot * 1000;
  const over = nowMs >= slotStartMs + intervalSeconds * 1000;
  let count = 0;
  while (count < plan.pending.length && (over || slotStartMs + (plan.pending[count]?.offsetMs ?? 0) <= nowMs))
    count += 1;
  return plan.pending.splice(0, count).map((entry) => entry.item);
}
