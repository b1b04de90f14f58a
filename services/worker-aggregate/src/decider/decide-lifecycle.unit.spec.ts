import type { DomainEvent, WorkerState } from "@cml-telemetry/contracts";
import { costOf } from "@cml-telemetry/lifecycle";
import { createDeciderSpec } from "@cml-telemetry/testing";
import { describe, expect, it } from "vitest";
import { at, commandOf, dateAt, WORKER_ID } from "../testing/worker-fixtures.ts";
import type { WorkerCommand } from "./commands.ts";
import { decide } from "./decide.ts";
import { evolve } from "./evolve.ts";
import { initialState } from "./initial-state.ts";

const spec = createDeciderSpec<WorkerCommand, DomainEvent, WorkerState>({
  decide,
  evolve,
  initialState: () => initialState(WORKER_ID),
});

/** Events of a sequence of commands, each decided on the state the previous ones left. */
function history(...commands: WorkerCommand[]): DomainEvent[] {
  let state = initialState(WORKER_ID);
  const all: DomainEvent[] = [];
  for (const command of commands) {
    const events = decide(command, state, dateAt(0));
    state = events.reduce(evolve, state);
    all.push(...events);
  }
  return all;
}

const stateOf = (events: DomainEvent[]) => events.reduce(evolve, initialState(WORKER_ID));
const names = (events: DomainEvent[]) => events.map((event) => event.name);
/** A RUNNING worker, discovered at minute 0, whose CML was seen ready and available at minute 1. */
const running = () =>
  history(commandOf.discovered(), commandOf.cml({ observedAt: at(1), runningLabsCount: 1 }));

describe("ec2.action: the outcome of a lifecycle request", () => {
  it("records an operator's accepted stop with who asked, and moves the status by EC2's answer", () => {
    const base = { workerId: WORKER_ID, version: 3, observedAt: at(2) };
    spec
      .given(running())
      .when(commandOf.ec2Action({ requestId: "req-stop" }))
      .then([
        {
          name: "stop_requested",
          data: {
            ...base,
            requestId: "req-stop",
            requestedBy: "alice",
            reason: "operator",
            dryRun: false,
            outcome: "accepted",
            previousState: "running",
            currentState: "stopping",
            errorType: null,
            errorMessage: null,
          },
        },
        { name: "status_changed", data: { ...base, oldStatus: "RUNNING", newStatus: "STOPPING" } },
        {
          name: "service_status_changed",
          data: {
            ...base,
            oldStatus: "AVAILABLE",
            newStatus: "UNAVAILABLE",
            httpsEndpoint: "https://203.0.113.10",
          },
        },
      ]);
  });

  it("folds who stopped it and the last lifecycle action into the state", () => {
    spec
      .given(running())
      .when(commandOf.ec2Action({ requestId: "req-stop" }))
      .thenState((state) => {
        expect(state).toMatchObject({
          status: "STOPPING",
          stoppedBy: "alice",
          statusObservedAt: at(2),
          lastLifecycleAction: {
            action: "stop",
            requestedBy: "alice",
            reason: "operator",
            dryRun: false,
            outcome: "accepted",
            requestId: "req-stop",
            at: at(2),
          },
        });
      });
  });

  it("applies a request once: the same request id again changes nothing", () => {
    const stopped = history(...[commandOf.discovered()], commandOf.ec2Action({ requestId: "req-stop" }));
    spec
      .given(stopped)
      .when(commandOf.ec2Action({ requestId: "req-stop", observedAt: at(3) }))
      .thenNothing();
  });

  it("records a dry run without changing who stopped the worker", () => {
    spec
      .given(running())
      .when(
        commandOf.ec2Action({
          requestedBy: "idle-policy",
          reason: "idle-policy",
          dryRun: true,
          outcome: "dry-run",
          currentState: "running",
        }),
      )
      .thenState((state, events) => {
        expect(names(events)).toEqual(["stop_requested"]);
        expect(events[0]?.data).toMatchObject({
          dryRun: true,
          outcome: "dry-run",
          requestedBy: "idle-policy",
        });
        expect(state).toMatchObject({ status: "RUNNING", stoppedBy: null, idleStoppedAt: null });
        expect(state.lastLifecycleAction).toMatchObject({ dryRun: true, outcome: "dry-run" });
      });
  });

  it("records a refusal with EC2's reason", () => {
    spec
      .given(running())
      .when(
        commandOf.ec2Action({
          action: "terminate",
          outcome: "rejected",
          currentState: "running",
          errorType: "unauthorized",
          errorMessage: "UnauthorizedOperation: ec2:TerminateInstances",
        }),
      )
      .thenState((state, events) => {
        expect(names(events)).toEqual(["terminate_requested"]);
        expect(events[0]?.data).toMatchObject({ outcome: "rejected", errorType: "unauthorized" });
        expect(state).toMatchObject({ status: "RUNNING", terminateRequestedBy: null });
      });
  });

  it("never rolls the status back with an answer older than what the state has seen", () => {
    const stoppedLater = history(
      commandOf.discovered(),
      commandOf.ec2Status({ instanceState: "stopped", observedAt: at(5) }),
    );
    spec
      .given(stoppedLater)
      .when(
        commandOf.ec2Action({
          action: "start",
          outcome: "accepted",
          currentState: "pending",
          observedAt: at(3),
        }),
      )
      .thenState((state, events) => {
        expect(names(events)).toEqual(["start_requested"]);
        expect(state.status).toBe("STOPPED");
        expect(state.statusObservedAt).toBe(at(5));
        expect(state.lastLifecycleAction).toMatchObject({ action: "start", at: at(3) });
      });
  });

  it("clears who stopped the worker when it is started", () => {
    const stopped = history(commandOf.discovered(), commandOf.ec2Action({ currentState: "stopped" }));
    expect(stateOf(stopped).stoppedBy).toBe("alice");
    spec
      .given(stopped)
      .when(
        commandOf.ec2Action({
          action: "start",
          requestId: "req-start",
          requestedBy: "bob",
          previousState: "stopped",
          currentState: "pending",
          observedAt: at(3),
        }),
      )
      .thenState((state, events) => {
        expect(names(events)).toEqual(["start_requested", "status_changed"]);
        expect(state).toMatchObject({ status: "PENDING", stoppedBy: null });
      });
  });

  it("names the requester of a terminate EC2 took when AWS confirms it", () => {
    const asked = history(
      commandOf.discovered(),
      commandOf.ec2Action({ action: "terminate", requestedBy: "carol", currentState: "shutting-down" }),
    );
    expect(stateOf(asked)).toMatchObject({ status: "SHUTTING_DOWN", terminateRequestedBy: "carol" });
    spec
      .given(asked)
      .when(commandOf.ec2Status({ instanceState: "terminated", observedAt: at(4) }))
      .then((events) =>
        expect(events.find((event) => event.name === "terminated")?.data).toMatchObject({
          terminatedAt: at(4),
          terminatedBy: "carol",
        }),
      );
  });

  it("names the requester at once when EC2 answers the terminate with terminated", () => {
    spec
      .given(history(commandOf.discovered()))
      .when(
        commandOf.ec2Action({
          action: "terminate",
          requestedBy: "carol",
          outcome: "already",
          previousState: "terminated",
          currentState: "terminated",
        }),
      )
      .then((events) => {
        expect(names(events)).toEqual(["terminate_requested", "status_changed", "terminated"]);
        expect(events[2]?.data).toMatchObject({ terminatedBy: "carol" });
      });
  });

  it("says ec2 terminated a worker nobody here asked to terminate", () => {
    spec
      .given(history(commandOf.discovered()))
      .when(commandOf.ec2Status({ instanceState: "terminated", observedAt: at(4) }))
      .then((events) =>
        expect(events.find((event) => event.name === "terminated")?.data).toMatchObject({
          terminatedBy: "ec2",
        }),
      );
  });

  it("keeps the audit trail of a terminated worker: a late request is recorded, the state stays terminated", () => {
    const gone = history(
      commandOf.discovered(),
      commandOf.ec2Status({ instanceState: "terminated", observedAt: at(4) }),
    );
    spec
      .given(gone)
      .when(
        commandOf.ec2Action({
          action: "start",
          outcome: "rejected",
          currentState: "terminated",
          observedAt: at(5),
        }),
      )
      .thenState((state, events) => {
        expect(names(events)).toEqual(["start_requested"]);
        expect(state).toMatchObject({ status: "TERMINATED", terminatedBy: "ec2" });
      });
  });

  it("ignores an outcome for a worker it does not know", () => {
    spec.given().when(commandOf.ec2Action()).thenNothing();
  });
});

describe("running time and idle-stop savings (month to date)", () => {
  it("adds a run to the month's usage when the worker leaves RUNNING", () => {
    spec
      .given(history(commandOf.discovered()))
      .when(commandOf.ec2Status({ instanceState: "stopped", observedAt: at(90) }))
      .thenState((state) => {
        expect(state.usage).toEqual({ month: "2026-11", runningSeconds: 5400, idleStopSavedSeconds: 0 });
        expect(state.runningSince).toBeNull();
      });
  });

  it("counts savings from an accepted idle-policy stop until the next start", () => {
    const idleStopped = history(
      commandOf.discovered(),
      commandOf.ec2Action({ requestedBy: "idle-policy", reason: "idle-policy", observedAt: at(60) }),
    );
    expect(stateOf(idleStopped)).toMatchObject({ idleStoppedAt: at(60), stoppedBy: "idle-policy" });
    spec
      .given(idleStopped)
      .when(
        commandOf.ec2Action({
          action: "start",
          requestId: "req-start",
          previousState: "stopped",
          currentState: "pending",
          observedAt: at(180),
        }),
      )
      .thenState((state) => {
        expect(state.idleStoppedAt).toBeNull();
        expect(state.usage).toEqual({ month: "2026-11", runningSeconds: 3600, idleStopSavedSeconds: 7200 });
      });
  });

  it("counts no savings for an operator's stop, and closes them when the worker is started outside the system", () => {
    expect(stateOf(history(commandOf.discovered(), commandOf.ec2Action())).idleStoppedAt).toBeNull();
    const idleStopped = history(
      commandOf.discovered(),
      commandOf.ec2Action({ requestedBy: "idle-policy", reason: "idle-policy", currentState: "stopped" }),
    );
    spec
      .given(idleStopped)
      .when(commandOf.ec2Status({ instanceState: "running", observedAt: at(32) }))
      .thenState((state) => {
        expect(state.idleStoppedAt).toBeNull();
        expect(state.usage?.idleStopSavedSeconds).toBe(1800);
        expect(state.runningSince).toBe(at(32));
      });
  });

  it("matches a hand computation of cost and savings for a known schedule", () => {
    // Minute 0: discovered running. 120: stopped by the idle policy. 300: started again. Price $2.50/h.
    const schedule = history(
      commandOf.discovered(),
      commandOf.ec2Action({
        requestedBy: "idle-policy",
        reason: "idle-policy",
        currentState: "stopping",
        observedAt: at(120),
      }),
      commandOf.ec2Status({ instanceState: "stopped", observedAt: at(121) }),
      commandOf.ec2Action({
        action: "start",
        requestId: "req-start",
        previousState: "stopped",
        currentState: "pending",
        observedAt: at(300),
      }),
      commandOf.ec2Status({ instanceState: "running", observedAt: at(301) }),
    );
    // At minute 361: ran 0–120 and 301–361 = 3 h ($7.50); saved 120–300 = 3 h ($7.50).
    const cost = costOf(stateOf(schedule), 2.5, dateAt(361));
    expect(cost.runningHoursMonthToDate).toBeCloseTo(3, 10);
    expect(cost.monthToDateUsd).toBeCloseTo(7.5, 10);
    expect(cost.savedByIdleStopUsdMonthToDate).toBeCloseTo(7.5, 10);
  });
});

describe("idle-policy skips", () => {
  /** Idle since minute 1 (labs seen running then, none at minute 2). */
  const idle = () =>
    history(
      commandOf.discovered(),
      commandOf.cml({ runningLabsCount: 1, observedAt: at(1) }),
      commandOf.cml({ runningLabsCount: 0, observedAt: at(2) }),
    );

  it("emits idle_stop_skipped with the reason, the mode and how long the worker has been idle", () => {
    spec
      .given(idle())
      .when(
        commandOf.idlePolicy({
          reason: "maintenance-window",
          mode: "dry-run",
          idleSince: at(1),
          evaluatedAt: at(46),
        }),
      )
      .then([
        {
          name: "idle_stop_skipped",
          data: {
            workerId: WORKER_ID,
            version: 4,
            observedAt: at(46),
            reason: "maintenance-window",
            mode: "dry-run",
            idleSince: at(1),
            idleMinutes: 45,
          },
        },
      ]);
  });

  it("emits it once per idle period, whatever the next reason", () => {
    const skipped = history(
      commandOf.discovered(),
      commandOf.cml({ runningLabsCount: 1, observedAt: at(1) }),
      commandOf.cml({ runningLabsCount: 0, observedAt: at(2) }),
      commandOf.idlePolicy({ idleSince: at(1) }),
    );
    expect(stateOf(skipped).idleStopSkipped).toEqual({ reason: "exempt", at: at(45) });
    spec
      .given(skipped)
      .when(commandOf.idlePolicy({ reason: "snoozed", idleSince: at(1), evaluatedAt: at(50) }))
      .thenNothing();
  });

  it("starts over in a new idle period: activity clears the skip", () => {
    const given = idle();
    const skippedOnce = [
      ...given,
      ...decide(commandOf.idlePolicy({ idleSince: at(1) }), stateOf(given), dateAt(0)),
    ];
    const busyAgain = [
      ...skippedOnce,
      ...decide(commandOf.cml({ runningLabsCount: 2, observedAt: at(60) }), stateOf(skippedOnce), dateAt(0)),
    ];
    expect(stateOf(busyAgain).idleStopSkipped).toBeNull();
    spec
      .given(busyAgain)
      .when(commandOf.idlePolicy({ idleSince: at(60), evaluatedAt: at(100) }))
      .then((events) => expect(names(events)).toEqual(["idle_stop_skipped"]));
  });

  it("ignores a skip decided on another idle period or for a worker no longer running", () => {
    spec
      .given(idle())
      .when(commandOf.idlePolicy({ idleSince: at(0) }))
      .thenNothing();
    const stopped = [
      ...idle(),
      ...decide(
        commandOf.ec2Status({ instanceState: "stopped", observedAt: at(10) }),
        stateOf(idle()),
        dateAt(0),
      ),
    ];
    spec
      .given(stopped)
      .when(commandOf.idlePolicy({ idleSince: at(1) }))
      .thenNothing();
  });

  it("counts the idle period from the worker's last start when that is later than its last activity", () => {
    const restarted = history(
      commandOf.discovered(),
      commandOf.cml({ runningLabsCount: 1, observedAt: at(1) }),
      commandOf.ec2Status({ instanceState: "stopped", observedAt: at(5) }),
      commandOf.ec2Status({ instanceState: "running", observedAt: at(20) }),
    );
    spec
      .given(restarted)
      .when(commandOf.idlePolicy({ idleSince: at(1) }))
      .thenNothing();
    spec
      .given(restarted)
      .when(commandOf.idlePolicy({ idleSince: at(20), evaluatedAt: at(80) }))
      .then((events) => expect(events[0]?.data).toMatchObject({ idleSince: at(20), idleMinutes: 60 }));
  });
});
