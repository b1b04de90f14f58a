import { expect } from "vitest";

/** A pure Decider (emmett style). */
export interface Decider<Command, Event, State> {
  decide(command: Command, state: State, now: Date): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}

/**
 * given/when/then for Deciders:
 * `spec.given(events).when(command, now).then(expectedEvents)` or `.thenState(check)`.
 */
export function createDeciderSpec<Command, Event, State>(decider: Decider<Command, Event, State>) {
  return {
    given(events: Event[] = [], state?: State) {
      const start = events.reduce(decider.evolve, state ?? decider.initialState());
      return {
        when(command: Command, now: Date = new Date()) {
          const produced = decider.decide(command, start, now);
          const after = produced.reduce(decider.evolve, start);
          return {
            // biome-ignore lint/suspicious/noThenProperty: given/when/then is the spec's vocabulary; never awaited
            then(expected: Event[] | ((events: Event[]) => void)) {
              if (typeof expected === "function") expected(produced);
              else expect(produced).toEqual(expected);
              return after;
            },
            thenNothing() {
              expect(produced).toEqual([]);
              return after;
            },
            thenState(check: (state: State, events: Event[]) => void) {
              check(after, produced);
              return after;
            },
          };
        },
      };
    },
  };
}
