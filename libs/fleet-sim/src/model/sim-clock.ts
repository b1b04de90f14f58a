/** The simulator's clock: the base clock (wall clock by default) plus an offset that only moves forward. */
export interface SimClock {
  /** Current simulated time, epoch ms. */
  now(): number;
  /**
   * Moves simulated time forward, so tests of minutes or days run in seconds.
   * @throws RangeError for a negative or non-finite amount (time never runs backwards).
   */
  advance(ms: number): void;
  /** How far simulated time is ahead of the base clock, ms. */
  offsetMs(): number;
}

/**
 * Creates a movable clock over `base`.
 * @example
 * const clock = createSimClock();
 * clock.advance(15 * 60_000); // fifteen minutes later, at once
 */
export function createSimClock(base: () => number = Date.now): SimClock {
  let offset = 0;
  return {
    now: () => base() + offset,
    advance: (ms) => {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`the clock only moves forward (got ${ms} ms)`);
      offset += ms;
    },
    offsetMs: () => offset,
  };
}
