import type { WorkerRecord } from "@cml-telemetry/contracts";
import { toOutboxEntry } from "../aggregate/domain-event-message.ts";
import { decide } from "../decider/decide.ts";
import { evolve } from "../decider/evolve.ts";
import { initialState } from "../decider/initial-state.ts";
import { commandOf, dateAt, WORKER_ID } from "./worker-fixtures.ts";

/**
 * The KV record of {@link WORKER_ID} right after its discovery was decided and written: state at version 1 and the
 * decision's four events in the outbox (as a crash between the write and the publish leaves it).
 */
export function discoveredRecord(): WorkerRecord {
  const events = decide(commandOf.discovered(), initialState(WORKER_ID), dateAt(0));
  return {
    state: events.reduce(evolve, initialState(WORKER_ID)),
    outbox: events.map((event, index) => toOutboxEntry(event, index, { time: dateAt(0) })),
    recentInputIds: ["discovery-1"],
  };
}
