import type { ConnectionOps } from "../ports.ts";

/** A connection ops event the fake recorded. */
export type RecordedConnectionOp =
  | { kind: "established"; connectionId: string; transport: string }
  | { kind: "closed"; connectionId: string; transport: string; durationSeconds: number; reason: string };

/** Records connection ops events in memory. */
export function createFakeConnectionOps(): ConnectionOps & { readonly recorded: RecordedConnectionOp[] } {
  const recorded: RecordedConnectionOp[] = [];
  return {
    recorded,
    established(connectionId, transport) {
      recorded.push({ kind: "established", connectionId, transport });
    },
    closed(connectionId, transport, durationSeconds, reason) {
      recorded.push({ kind: "closed", connectionId, transport, durationSeconds, reason });
    },
  };
}
