/** A clock tests move by hand. */
export interface ManualClock {
  now(): number;
  advance(ms: number): void;
  set(epochMs: number): void;
}

/** Creates a clock starting at `startMs` (default 2026-01-15T12:00:00Z). */
export function createManualClock(startMs = Date.UTC(2026, 0, 15, 12, 0, 0)): ManualClock {
  let current = startMs;
  return {
    now: () => current,
    advance: (ms) => {
      current += ms;
    },
    set: (epochMs) => {
      current = epochMs;
    },
  };
}
