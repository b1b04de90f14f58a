import type { DomainEvent, WorkerRecord } from "@cml-telemetry/contracts";
import type { WorkerCommand } from "../decider/commands.ts";
import { decide } from "../decider/decide.ts";
import { evolve } from "../decider/evolve.ts";
import { initialState } from "../decider/initial-state.ts";
import { type OutboxEntry, toOutboxEntry } from "./domain-event-message.ts";

/** How many applied input ids a record remembers to drop redeliveries (they arrive within the ack wait; the order guard catches older ones too). */
export const RECENT_INPUT_IDS = 16;

/**
 * What became of one command; `unknown-worker`: an observation of a worker not registered (yet); `rejected`: it can
 * never be stored (the worker's record would be too large).
 */
export type CommandOutcome = "applied" | "ignored" | "duplicate" | "unknown-worker" | "rejected";

/** Result of folding commands into a worker record. */
export interface AppliedCommands {
  /** The record to write (state, outbox with the new events appended, recent input ids). */
  readonly record: WorkerRecord;
  /** Whether anything changed, i.e. whether the record must be written. */
  readonly changed: boolean;
  /** Domain events produced, in order. */
  readonly events: readonly DomainEvent[];
  /** The outcome of each command, in order. */
  readonly outcomes: readonly CommandOutcome[];
}

/**
 * Decides the commands one after another against one state (pure): a command whose input id the record has seen is
 * a duplicate; one producing no events is ignored. The events of each decision go to the outbox as CloudEvents.
 */
export function applyCommands(
  current: WorkerRecord | undefined,
  workerId: string,
  commands: readonly WorkerCommand[],
  now: Date,
  maxRecentInputIds = RECENT_INPUT_IDS,
): AppliedCommands {
  let state = current?.state ?? initialState(workerId);
  const outbox: OutboxEntry[] = [...(current?.outbox ?? [])];
  const recent = [...(current?.recentInputIds ?? [])];
  const events: DomainEvent[] = [];
  const outcomes: CommandOutcome[] = [];
  for (const command of commands) {
    // A handful of ids: a scan is cheaper than building a set for every decision.
    if (recent.includes(command.inputId)) {
      outcomes.push("duplicate");
      continue;
    }
    const decided = decide(command, state, now);
    if (decided.length === 0) {
      outcomes.push(state.version === 0 && command.type !== "detectIdle" ? "unknown-worker" : "ignored");
      continue;
    }
    decided.forEach((event, index) => {
      outbox.push(toOutboxEntry(event, index, { time: now, correlationId: command.correlationId }));
    });
    state = decided.reduce(evolve, state);
    events.push(...decided);
    recent.push(command.inputId);
    outcomes.push("applied");
  }
  return {
    record: { state, outbox, recentInputIds: recent.slice(-maxRecentInputIds) },
    changed: events.length > 0,
    events,
    outcomes,
  };
}
