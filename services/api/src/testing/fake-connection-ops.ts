import type { ConnectionOps } from "../ports.ts";

/** A connection ops event the fake recorded. */
export type RecordedConnectionOp =
  | { kind: "established"; connectionId: string; transport: string }
  | { kind: "closed"; connectionId: string; transport: string; durationSeconds: number; reason: string };

/** Records connection ops events in memory; `next` waits for the record to reach a state. */
export interface FakeConnectionOps extends ConnectionOps {
  readonly recorded: RecordedConnectionOp[];
  /** Resolves once `predicate` holds for everything recorded (at once when it already does); rejects after 5 s. */
  next(predicate: (recorded: readonly RecordedConnectionOp[]) => boolean): Promise<void>;
}

/** Creates a {@link FakeConnectionOps}. */
export function createFakeConnectionOps(): FakeConnectionOps {
  const recorded: RecordedConnectionOp[] = [];
  const waiting = new Set<() => void>();
  const record = (op: RecordedConnectionOp) => {
    recorded.push(op);
    for (const check of [...waiting]) check();
  };
  return {
    recorded,
    established(connectionId, transport) {
      record({ kind: "established", connectionId, transport });
    },
    closed(connectionId, transport, durationSeconds, reason) {
      record({ kind: "closed", connectionId, transport, durationSeconds, reason });
    },
    next(predicate) {
      if (predicate(recorded)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(check);
          reject(new Error(`connection ops never reached the expected state: ${JSON.stringify(recorded)}`));
        }, 5_000);
        const check = () => {
          if (!predicate(recorded)) return;
          clearTimeout(timer);
          waiting.delete(check);
          resolve();
        };
        waiting.add(check);
      });
    },
  };
}
