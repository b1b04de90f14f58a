import { describe, expect, it } from "vitest";
import {
  ec2ActionEventId,
  lifecycleMsgId,
  lifecycleRequestIdSchema,
  lifecycleRequestKey,
  lifecycleTargetStatuses,
  reachesLifecycleTarget,
} from "./lifecycle.ts";
import { blankWorkerState, LIFECYCLE_STATE_FIELDS, workerStateSchema } from "./worker-state.ts";

const id = "8f0b7a56-3a55-5a41-9a0c-6c1b2f7d9e10";
/** What NATS accepts as a KV key. */
const KV_KEY = /^[-/_=.a-zA-Z0-9]+$/;

describe("lifecycle contract helpers", () => {
  it("names a command and its outcome per worker, action and request", () => {
    expect(lifecycleMsgId(id, "stop", "req-1")).toBe(`lifecycle:${id}:stop:req-1`);
    expect(ec2ActionEventId(id, "stop", "req-1")).toBe(`action:${id}:stop:req-1`);
    expect(ec2ActionEventId(id, "start", "req-1")).not.toBe(ec2ActionEventId(id, "stop", "req-1"));
  });

  it("keys a request claim with a valid KV key whatever the request id holds, one key per request", () => {
    const key = lifecycleRequestKey(id, "terminate", "client:req.42_x-y");
    expect(key).toMatch(KV_KEY);
    expect(key.startsWith(`${id}.terminate.`)).toBe(true);
    expect(lifecycleRequestKey(id, "terminate", "a:b")).not.toBe(lifecycleRequestKey(id, "terminate", "a.b"));
    expect(lifecycleRequestKey(id, "stop", "r")).not.toBe(lifecycleRequestKey(id, "start", "r"));
  });

  it("accepts the API's request ids and refuses others", () => {
    expect(lifecycleRequestIdSchema.safeParse("client:req.42_x-y").success).toBe(true);
    expect(lifecycleRequestIdSchema.safeParse("").success).toBe(false);
    expect(lifecycleRequestIdSchema.safeParse("a b").success).toBe(false);
    expect(lifecycleRequestIdSchema.safeParse("x".repeat(129)).success).toBe(false);
  });

  it("knows which instance states already satisfy an action", () => {
    expect(reachesLifecycleTarget("start", "pending")).toBe(true);
    expect(reachesLifecycleTarget("start", "stopping")).toBe(false);
    expect(reachesLifecycleTarget("stop", "stopped")).toBe(true);
    expect(reachesLifecycleTarget("stop", "running")).toBe(false);
    expect(reachesLifecycleTarget("terminate", "shutting-down")).toBe(true);
    expect(reachesLifecycleTarget("terminate", null)).toBe(false);
    expect(lifecycleTargetStatuses("stop")).toEqual(["STOPPING", "STOPPED"]);
    expect(lifecycleTargetStatuses("terminate")).toEqual(["SHUTTING_DOWN", "TERMINATED"]);
  });
});

describe("worker state written before the lifecycle fields", () => {
  it("parses with every new field null, as a blank state has them", () => {
    const nulls = Object.fromEntries(LIFECYCLE_STATE_FIELDS.map((field) => [field, null]));
    expect(workerStateSchema.parse(oldState())).toMatchObject(nulls);
    expect(
      blankWorkerState({ id, region: "us-east-1", instanceId: "i-0", at: "", createdBy: "" }),
    ).toMatchObject(nulls);
  });
  it("refuses a usage month that is not YYYY-MM", () => {
    const bad = { ...oldState(), usage: { month: "2026-13", runningSeconds: 1, idleStopSavedSeconds: 0 } };
    expect(workerStateSchema.safeParse(bad).success).toBe(false);
  });
});

/** A state as records written before the lifecycle fields hold it: without them. */
function oldState(): Record<string, unknown> {
  const state: Record<string, unknown> = blankWorkerState({
    id,
    region: "us-east-1",
    instanceId: "i-0123456789abcdef0",
    at: "2026-11-25T12:00:00.000Z",
    createdBy: "discovery",
  });
  for (const field of LIFECYCLE_STATE_FIELDS) delete state[field];
  return state;
}
