import type { FeedEvent } from "./sse-feed.ts";

/** The sources whose freshness is measured. */
export const FRESHNESS_SOURCES = ["ec2", "cloudwatch", "cml"] as const;
export type FreshnessSource = (typeof FRESHNESS_SOURCES)[number];

/** A change made in the simulator, and how its effect shows in the API's feed. */
export interface ExpectedChange {
  readonly source: FreshnessSource;
  readonly workerId: string;
  readonly what: string;
  /**
   * From when it could be seen, on the simulator's clock (epoch ms): the change itself, or for CloudWatch the time
   * the simulator makes the first datapoint carrying it available.
   */
  readonly from: number;
  /** Whether a feed event of the worker shows the change. */
  matches(event: FeedEvent): boolean;
}

/** How long each change took to show (seconds), per source, and what never showed. */
export interface FreshnessResults {
  readonly seconds: Readonly<Record<FreshnessSource, readonly number[]>>;
  readonly missed: Readonly<Record<FreshnessSource, number>>;
}

/**
 * Matches the feed's events against the changes made: the first event of a worker that shows a change makes it
 * visible, at the time the event arrived here moved onto the simulator's clock (`clockOffsetMs`).
 */
export function createFreshnessTracker(clockOffsetMs: number) {
  const waiting = new Map<string, Array<ExpectedChange>>();
  const seen: Array<{ change: ExpectedChange; seconds: number }> = [];
  const onSeen = new Map<ExpectedChange, () => void>();
  let allSeen: (() => void) | undefined;
  const outstanding = () => [...waiting.values()].reduce((sum, list) => sum + list.length, 0);

  return {
    expect(change: ExpectedChange): void {
      const list = waiting.get(change.workerId) ?? [];
      list.push(change);
      waiting.set(change.workerId, list);
    },
    onEvent(event: FeedEvent): void {
      const list = waiting.get(event.workerId);
      if (list === undefined) return;
      const index = list.findIndex((change) => change.matches(event));
      if (index < 0) return;
      const [change] = list.splice(index, 1);
      if (list.length === 0) waiting.delete(event.workerId);
      if (change) {
        seen.push({ change, seconds: (event.receivedAt + clockOffsetMs - change.from) / 1000 });
        onSeen.get(change)?.();
        onSeen.delete(change);
      }
      if (outstanding() === 0) allSeen?.();
    },
    outstanding,
    /** Resolves true once the change was seen, false when `timeoutMs` passed first. */
    whenSeen(change: ExpectedChange, timeoutMs: number): Promise<boolean> {
      if (seen.some((entry) => entry.change === change)) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          onSeen.delete(change);
          resolve(false);
        }, timeoutMs);
        onSeen.set(change, () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
    },
    /** The latest time from which a change could be seen (simulator clock, epoch ms), or undefined before any. */
    latestFrom(): number | undefined {
      const froms = [...seen.map((entry) => entry.change), ...[...waiting.values()].flat()].map(
        (change) => change.from,
      );
      return froms.length === 0 ? undefined : Math.max(...froms);
    },
    /** Resolves when every expected change was seen, or at `deadline` (epoch ms of this process). */
    async settle(deadline: number): Promise<void> {
      if (outstanding() === 0) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        allSeen = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      allSeen = undefined;
    },
    /** The changes not seen (so far). */
    unseen(): ExpectedChange[] {
      return [...waiting.values()].flat();
    },
    results(): FreshnessResults {
      const seconds = { ec2: [] as number[], cloudwatch: [] as number[], cml: [] as number[] };
      const missed = { ec2: 0, cloudwatch: 0, cml: 0 };
      for (const { change, seconds: value } of seen) seconds[change.source].push(value);
      for (const list of waiting.values()) for (const change of list) missed[change.source] += 1;
      return { seconds, missed };
    },
  };
}

export type FreshnessTracker = ReturnType<typeof createFreshnessTracker>;
