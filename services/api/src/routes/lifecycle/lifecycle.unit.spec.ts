import {
  LIFECYCLE_ACTIONS,
  type LifecycleAction,
  type LifecycleCommand,
  type WorkerState,
} from "@cml-telemetry/contracts";
import { describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../app/create-test-app.ts";
import { PROBLEM_BASE } from "../../problems.ts";
import {
  afterLifecycleOutcome,
  appendLifecycleEvent,
  type LifecycleReport,
} from "../../testing/lifecycle-fixture.ts";
import { aWorkerState } from "../../testing/worker-state-builder.ts";

const NOW = new Date("2026-11-25T12:00:00.000Z");
const AT = "2026-11-25T12:00:01.000Z";

function setup(options: Parameters<typeof createTestApp>[0] = {}) {
  return createTestApp({ now: () => NOW, ...options });
}

function act(
  t: TestApp,
  id: string,
  action: LifecycleAction,
  query = "",
  headers: Record<string, string> = t.auth("operator"),
) {
  return t.app.request(`/api/v1/workers/${id}/${action}${query}`, { method: "POST", headers });
}

/** The query a terminate of `worker` needs (its instance id as confirmation), plus `extra`. */
const confirmed = (worker: WorkerState, extra = "") => `?confirm=${worker.instanceId}${extra}`;
const queryFor = (action: LifecycleAction, worker: WorkerState, extra = "") =>
  action === "terminate" ? confirmed(worker, extra) : extra === "" ? "" : `?${extra.slice(1)}`;

async function problemOf(response: Response) {
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  return (await response.json()) as { type: string; status: number; param?: string; detail: string };
}

function lifecycleCommands(t: TestApp): Array<{ command: LifecycleCommand; correlationId: string }> {
  return t.commands.published.flatMap((entry) =>
    entry.kind === "lifecycle" ? [{ command: entry.command, correlationId: entry.correlationId }] : [],
  );
}

/** EC2's answer to a stop the fake lifecycle service gives: accepted, running → stopping. */
function stopAccepted(requestId: string): LifecycleReport {
  return {
    action: "stop",
    requestId,
    requestedBy: "ops-team",
    outcome: "accepted",
    previousState: "running",
    currentState: "stopping",
    at: AT,
  };
}

describe("POST /api/v1/workers/:id/{start,stop,terminate}", () => {
  it.each(LIFECYCLE_ACTIONS)(
    "%s publishes the lifecycle command as the token's name, reason operator, and answers 202 { request_id }",
    async (action) => {
      const t = setup();
      const worker = aWorkerState({ status: action === "start" ? "STOPPED" : "RUNNING" });
      t.readModel.upsert(worker);
      const response = await act(t, worker.id, action, queryFor(action, worker));
      expect(response.status).toBe(202);
      const body = (await response.json()) as { request_id: string };
      expect(Object.keys(body)).toEqual(["request_id"]);
      expect(response.headers.get("x-request-id")).toBe(body.request_id);
      expect(lifecycleCommands(t)).toEqual([
        {
          command: {
            workerId: worker.id,
            region: worker.region,
            instanceId: worker.instanceId,
            action,
            requestedBy: "ops-team",
            reason: "operator",
            dryRun: false,
            requestId: body.request_id,
          },
          correlationId: body.request_id,
        },
      ]);
    },
  );

  it("takes the caller's X-Request-Id as the request id and correlation id, and replaces one that is not valid", async () => {
    const t = setup();
    const worker = aWorkerState();
    t.readModel.upsert(worker);
    const traced = await act(t, worker.id, "stop", "", {
      ...t.auth("operator"),
      "x-request-id": "trace:42.a_b-c",
    });
    expect(traced.status).toBe(202);
    expect(traced.headers.get("x-request-id")).toBe("trace:42.a_b-c");
    expect(await traced.json()).toEqual({ request_id: "trace:42.a_b-c" });
    const invalid = await act(t, worker.id, "stop", "", {
      ...t.auth("operator"),
      "x-request-id": "no spaces allowed",
    });
    const { request_id: made } = (await invalid.json()) as { request_id: string };
    expect(made).toMatch(/^[0-9a-f-]{36}$/);
    expect(
      lifecycleCommands(t).map(({ command, correlationId }) => [command.requestId, correlationId]),
    ).toEqual([
      ["trace:42.a_b-c", "trace:42.a_b-c"],
      [made, made],
    ]);
  });

  it("acts as anonymous without tokens", async () => {
    const t = setup({ auth: false });
    const worker = aWorkerState({ status: "STOPPED" });
    t.readModel.upsert(worker);
    expect((await act(t, worker.id, "start", "", {})).status).toBe(202);
    expect(lifecycleCommands(t)[0]?.command.requestedBy).toBe("anonymous");
  });

  it("needs an operator: 401 without a token, 403 for a viewer, nothing published", async () => {
    const t = setup();
    const worker = aWorkerState();
    t.readModel.upsert(worker);
    for (const action of LIFECYCLE_ACTIONS) {
      const anonymous = await act(t, worker.id, action, queryFor(action, worker), {});
      expect(anonymous.status).toBe(401);
      expect((await problemOf(anonymous)).type).toBe(`${PROBLEM_BASE}unauthorized`);
      const viewer = await act(t, worker.id, action, queryFor(action, worker), t.auth("viewer"));
      expect(viewer.status).toBe(403);
      expect((await problemOf(viewer)).type).toBe(`${PROBLEM_BASE}forbidden`);
    }
    expect(t.commands.published).toEqual([]);
  });

  it("refuses a browser page of a foreign origin (site guard) and accepts the API's own", async () => {
    const t = setup();
    const worker = aWorkerState();
    t.readModel.upsert(worker);
    for (const action of LIFECYCLE_ACTIONS) {
      const foreign = await act(t, worker.id, action, queryFor(action, worker), {
        ...t.auth("operator"),
        origin: "https://evil.example",
      });
      expect(foreign.status).toBe(403);
      expect((await problemOf(foreign)).detail).toContain("https://evil.example");
      expect(foreign.headers.get("x-request-id")).not.toBeNull();
    }
    expect(t.commands.published).toEqual([]);
    const own = await act(t, worker.id, "stop", "", { ...t.auth("operator"), origin: "http://localhost" });
    expect(own.status).toBe(202);
  });

  it("refuses a non-loopback Host without tokens (DNS rebinding)", async () => {
    const t = setup({ auth: false });
    const worker = aWorkerState();
    t.readModel.upsert(worker);
    const response = await t.app.request(`http://rebound.example/api/v1/workers/${worker.id}/stop`, {
      method: "POST",
    });
    expect(response.status).toBe(403);
    expect(t.commands.published).toEqual([]);
  });

  it("answers 404 for an unknown worker and 409 for a terminated one", async () => {
    const t = setup();
    const terminated = aWorkerState({
      status: "TERMINATED",
      terminatedAt: "2026-11-25T11:00:00.000Z",
      terminatedBy: "ec2",
    });
    t.readModel.upsert(terminated);
    for (const action of LIFECYCLE_ACTIONS) {
      const unknown = await act(
        t,
        "8f0b7a56-3a55-5a41-9a0c-6c1b2f7d9e10",
        action,
        "?confirm=i-0123456789abcdef0",
      );
      expect(unknown.status).toBe(404);
      expect((await problemOf(unknown)).type).toBe(`${PROBLEM_BASE}not-found`);
      const gone = await act(t, terminated.id, action, queryFor(action, terminated));
      expect(gone.status).toBe(409);
      const problem = await problemOf(gone);
      expect(problem.type).toBe(`${PROBLEM_BASE}conflict`);
      expect(problem.detail).toContain("terminated");
    }
    expect(t.commands.published).toEqual([]);
  });

  it("terminate needs ?confirm= with the worker's instance id: 400 without it or with another", async () => {
    const t = setup();
    const worker = aWorkerState();
    t.readModel.upsert(worker);
    for (const query of ["", "?confirm=", "?confirm=i-0fedcba9876543210", `?confirm=${worker.id}`]) {
      const response = await act(t, worker.id, "terminate", query);
      expect(response.status).toBe(400);
      const problem = await problemOf(response);
      expect(problem.type).toBe(`${PROBLEM_BASE}validation-error`);
      expect(problem.param).toBe("confirm");
    }
    expect(t.commands.published).toEqual([]);
    expect((await act(t, worker.id, "terminate", confirmed(worker))).status).toBe(202);
  });

  it("answers 400 for a wait above LIFECYCLE_WAIT_MAX_SECONDS or not a number", async () => {
    const t = setup({ settings: { lifecycleWaitMaxSeconds: 20 } });
    const worker = aWorkerState();
    t.readModel.upsert(worker);
    for (const query of ["?wait=21", "?wait=-1", "?wait=soon"]) {
      const response = await act(t, worker.id, "stop", query);
      expect(response.status).toBe(400);
      expect((await problemOf(response)).param).toBe("wait");
    }
    expect(t.commands.published).toEqual([]);
  });

  it("answers 503 when the command cannot be published", async () => {
    const t = setup();
    const worker = aWorkerState();
    t.readModel.upsert(worker);
    t.commands.failWith(new Error("no JetStream ack"));
    const response = await act(t, worker.id, "stop", "?wait=5");
    expect(response.status).toBe(503);
    expect((await problemOf(response)).detail).toContain("no JetStream ack");
    expect(t.feed.stored).toEqual([]);
  });
});

describe("?wait= on start, stop and terminate", () => {
  it("answers 200 with the outcome and the worker once EC2 accepted and the worker shows the transitional state", async () => {
    const t = setup();
    const worker = aWorkerState();
    t.readModel.upsert(worker);
    const shown: string[] = [];
    t.commands.onPublish = (entry) => {
      if (entry.kind !== "lifecycle") return;
      const report = stopAccepted(entry.command.requestId);
      setTimeout(() => {
        // The outcome comes first, with the worker still RUNNING; the status follows in a later decision.
        const answered = afterLifecycleOutcome(worker, report);
        t.readModel.upsert(answered);
        appendLifecycleEvent(t.feed, worker.id, answered.version, report);
        shown.push("outcome");
        setTimeout(() => {
          shown.push("stopping");
          t.readModel.upsert({ ...answered, version: answered.version + 1, status: "STOPPING" });
        }, 30);
      }, 10);
    };
    const response = await act(t, worker.id, "stop", "?wait=5", {
      ...t.auth("operator"),
      "x-request-id": "stop-1",
    });
    expect(shown).toEqual(["outcome", "stopping"]);
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      request_id: string;
      outcome: string;
      worker: { status: string; stopped_by: string; last_lifecycle_action: Record<string, unknown> };
    };
    expect(body.request_id).toBe("stop-1");
    expect(body.outcome).toBe("accepted");
    expect(body.worker.status).toBe("STOPPING");
    expect(body.worker.stopped_by).toBe("ops-team");
    expect(body.worker.last_lifecycle_action).toEqual({
      action: "stop",
      requested_by: "ops-team",
      reason: "operator",
      dry_run: false,
      outcome: "accepted",
      request_id: "stop-1",
      at: AT,
    });
  });

  it.each([
    ["rejected", "running", "unauthorized"],
    ["already", "stopped", null],
  ] as const)(
    "answers 200 as soon as the worker shows a %s outcome (no status to wait for)",
    async (outcome, state, errorType) => {
      const t = setup();
      const worker = aWorkerState({ status: state === "stopped" ? "STOPPED" : "RUNNING" });
      t.readModel.upsert(worker);
      t.commands.onPublish = (entry) => {
        if (entry.kind !== "lifecycle") return;
        const report: LifecycleReport = {
          ...stopAccepted(entry.command.requestId),
          outcome,
          previousState: state,
          currentState: state,
          errorType,
          errorMessage: errorType === null ? null : "You are not authorized to perform this operation.",
        };
        setTimeout(() => {
          const answered = afterLifecycleOutcome(worker, report);
          t.readModel.upsert(answered);
          appendLifecycleEvent(t.feed, worker.id, answered.version, report);
        }, 10);
      };
      const started = Date.now();
      const response = await act(t, worker.id, "stop", "?wait=5");
      expect(response.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(2_000);
      const body = (await response.json()) as { outcome: string; worker: { status: string } };
      expect(body.outcome).toBe(outcome);
      expect(body.worker.status).toBe(worker.status);
    },
  );

  it("answers 202 when the wait elapses: events of other requests do not count, nor an accepted outcome the status does not show", async () => {
    const t = setup();
    const worker = aWorkerState();
    t.readModel.upsert(worker);
    t.commands.onPublish = (entry) => {
      if (entry.kind !== "lifecycle") return;
      // Another request's (final) outcome, then this one's accepted outcome, but the worker never leaves RUNNING.
      appendLifecycleEvent(t.feed, worker.id, worker.version + 1, {
        ...stopAccepted("someone-else"),
        outcome: "rejected",
      });
      const report = stopAccepted(entry.command.requestId);
      const answered = afterLifecycleOutcome(worker, report);
      t.readModel.upsert(answered);
      appendLifecycleEvent(t.feed, worker.id, answered.version, report);
    };
    const started = Date.now();
    const response = await act(t, worker.id, "stop", "?wait=1");
    expect(response.status).toBe(202);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(Object.keys((await response.json()) as object)).toEqual(["request_id"]);
  });

  it("ignores another action's event of the same request id", async () => {
    const t = setup();
    const worker = aWorkerState({ status: "STOPPED" });
    t.readModel.upsert(worker);
    t.commands.onPublish = (entry) => {
      if (entry.kind !== "lifecycle") return;
      const report: LifecycleReport = { ...stopAccepted(entry.command.requestId), outcome: "already" };
      const answered = afterLifecycleOutcome(worker, report);
      t.readModel.upsert(answered);
      appendLifecycleEvent(t.feed, worker.id, answered.version, report);
    };
    expect((await act(t, worker.id, "start", "?wait=1")).status).toBe(202);
  });

  it("answers a repeated request at once when the worker already shows its outcome", async () => {
    const t = setup();
    const worker = afterLifecycleOutcome(aWorkerState(), stopAccepted("stop-7"), "STOPPED");
    t.readModel.upsert(worker);
    const started = Date.now();
    const response = await act(t, worker.id, "stop", "?wait=5", {
      ...t.auth("operator"),
      "x-request-id": "stop-7",
    });
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(((await response.json()) as { outcome: string }).outcome).toBe("accepted");
    expect(lifecycleCommands(t)).toHaveLength(1);
  });

  it("waits for SHUTTING_DOWN or TERMINATED after an accepted terminate", async () => {
    const t = setup();
    const worker = aWorkerState();
    t.readModel.upsert(worker);
    t.commands.onPublish = (entry) => {
      if (entry.kind !== "lifecycle") return;
      const report: LifecycleReport = {
        ...stopAccepted(entry.command.requestId),
        action: "terminate",
        currentState: "shutting-down",
      };
      setTimeout(() => {
        const answered = afterLifecycleOutcome(worker, report, "SHUTTING_DOWN");
        t.readModel.upsert(answered);
        appendLifecycleEvent(t.feed, worker.id, answered.version, report);
      }, 10);
    };
    const response = await act(t, worker.id, "terminate", confirmed(worker, "&wait=5"));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ outcome: "accepted", worker: { status: "SHUTTING_DOWN" } });
  });
});

describe("GET /api/v1/workers/:id/events", () => {
  it("lists each action and its outcome with who asked", async () => {
    const t = setup();
    const worker = aWorkerState({ status: "STOPPED" });
    t.readModel.upsert(worker);
    appendLifecycleEvent(t.feed, worker.id, 2, {
      ...stopAccepted("start-1"),
      action: "start",
      previousState: "stopped",
      currentState: "pending",
    });
    appendLifecycleEvent(t.feed, worker.id, 3, stopAccepted("stop-1"));
    const response = await t.app.request(`/api/v1/workers/${worker.id}/events`, {
      headers: t.auth("viewer"),
    });
    const body = (await response.json()) as {
      items: Array<{ name: string; event: { correlationid: string; data: Record<string, unknown> } }>;
    };
    expect(
      body.items.map(({ name, event }) => [
        name,
        event.correlationid,
        event.data.requestedBy,
        event.data.outcome,
      ]),
    ).toEqual([
      ["stop_requested", "stop-1", "ops-team", "accepted"],
      ["start_requested", "start-1", "ops-team", "accepted"],
    ]);
  });
});
