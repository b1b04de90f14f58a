import { useAwsCollectorTestBed } from "@cml-telemetry/aws/testing";
import {
  commands,
  createEvent,
  encodeEvent,
  lifecycleMsgId,
  subjects,
  telemetry,
} from "@cml-telemetry/contracts";
import { waitFor } from "@cml-telemetry/testing";
import { jetstream } from "@nats-io/jetstream";
import { describe, expect, it } from "vitest";
import {
  addInstance,
  outcomeOf,
  outcomesOf,
  requestLifecycle,
  startReplica,
  stateChangingCalls,
} from "./testing/lifecycle-test-bed.ts";

const bed = useAwsCollectorTestBed({ regions: ["us-east-1", "eu-west-1"] });

describe("worker-lifecycle executes lifecycle commands against EC2 (real SDK, simulated EC2, real NATS)", () => {
  it("stops a running worker: one StopInstances call, outcome accepted with EC2's states, correlation carried", async () => {
    await startReplica(bed);
    const worker = addInstance(bed);
    const command = await requestLifecycle(bed, worker, "stop", { correlationId: "corr-stop-1" });
    const outcome = await outcomeOf(bed, command.requestId);
    expect(outcome).toMatchObject({
      ...worker,
      action: "stop",
      requestedBy: "alice",
      reason: "operator",
      dryRun: false,
      outcome: "accepted",
      previousState: "running",
      currentState: "stopping",
    });
    const [event] = bed.capture.of(telemetry.ec2Action.type, worker.workerId);
    expect(event?.id).toBe(`action:${worker.workerId}:stop:${command.requestId}`);
    expect((event as { correlationid?: string }).correlationid).toBe("corr-stop-1");
    expect(stateChangingCalls(bed, "StopInstances")).toBe(1);
    expect(bed.fleet.get(worker.instanceId).state).toBe("stopping");
  });

  it("answers a worker already in the target state with `already` and makes no state-changing call", async () => {
    await startReplica(bed);
    const stopped = addInstance(bed, "stopped");
    const running = addInstance(bed);
    const stop = await outcomeOf(bed, (await requestLifecycle(bed, stopped, "stop")).requestId);
    const start = await outcomeOf(bed, (await requestLifecycle(bed, running, "start")).requestId);
    expect(stop).toMatchObject({ outcome: "already", previousState: "stopped", currentState: "stopped" });
    expect(start).toMatchObject({ outcome: "already", previousState: "running", currentState: "running" });
    expect(stateChangingCalls(bed, "StopInstances")).toBe(0);
    expect(stateChangingCalls(bed, "StartInstances")).toBe(0);
  });

  it("executes a request once: a repeated command republishes the recorded outcome and calls EC2 no more", async () => {
    await startReplica(bed);
    const worker = addInstance(bed);
    const command = await requestLifecycle(bed, worker, "stop");
    const first = await outcomeOf(bed, command.requestId);
    // The same request again, as after the stream's dedupe window (another Nats-Msg-Id, the same request id).
    const again = createEvent(commands.lifecycle, { source: "api", subject: worker.workerId, data: command });
    await jetstream(bed.nc).publish(subjects.lifecycle("stop", worker.workerId), encodeEvent(again), {
      msgID: `${lifecycleMsgId(worker.workerId, "stop", command.requestId)}:again`,
    });
    await waitFor(() => outcomesOf(bed, command.requestId).length === 2, {
      what: "the outcome published again",
    });
    expect(outcomesOf(bed, command.requestId)).toEqual([first, first]);
    expect(stateChangingCalls(bed, "StopInstances")).toBe(1);
  });

  it("dry-runs: EC2 answers DryRunOperation, the outcome is dry-run and the worker keeps running", async () => {
    await startReplica(bed);
    const worker = addInstance(bed);
    const command = await requestLifecycle(bed, worker, "stop", { dryRun: true, reason: "idle-policy" });
    expect(await outcomeOf(bed, command.requestId)).toMatchObject({
      outcome: "dry-run",
      dryRun: true,
      previousState: "running",
      currentState: "running",
    });
    expect(bed.sim.calls().dryRuns["ec2:StopInstances"]).toBeGreaterThan(0);
    expect(stateChangingCalls(bed, "StopInstances")).toBe(0);
    expect(bed.fleet.get(worker.instanceId).state).toBe("running");
  });

  it("rejects without the IAM permission (unauthorized) and in a state EC2 refuses (incorrect_state)", async () => {
    await startReplica(bed);
    bed.sim.faults.add({ service: "ec2", action: "TerminateInstances", kind: "deny" });
    const worker = addInstance(bed);
    const terminate = await outcomeOf(bed, (await requestLifecycle(bed, worker, "terminate")).requestId);
    expect(terminate).toMatchObject({ outcome: "rejected", errorType: "unauthorized" });
    expect(terminate.errorMessage).toContain("ec2:TerminateInstances");
    bed.fleet.applyStateChange(worker.instanceId, "stop");
    const start = await outcomeOf(bed, (await requestLifecycle(bed, worker, "start")).requestId);
    expect(start).toMatchObject({
      outcome: "rejected",
      errorType: "incorrect_state",
      previousState: "stopping",
      currentState: "stopping",
    });
    expect(bed.fleet.get(worker.instanceId).state).toBe("stopping");
  });

  it("rides out throttling: the request is retried until EC2 takes it, and executed once", async () => {
    await startReplica(bed);
    const worker = addInstance(bed);
    bed.sim.faults.add({ service: "ec2", action: "StopInstances", kind: "throttle", count: 6 });
    const command = await requestLifecycle(bed, worker, "stop");
    expect(await outcomeOf(bed, command.requestId, 30_000)).toMatchObject({ outcome: "accepted" });
    expect(bed.sim.calls().errors.RequestLimitExceeded).toBe(6);
    expect(outcomesOf(bed, command.requestId)).toHaveLength(1);
    expect(bed.fleet.get(worker.instanceId).state).toBe("stopping");
  });

  it("two replicas execute each request once, also when its command is delivered twice", async () => {
    await Promise.all([startReplica(bed), startReplica(bed)]);
    const workers = Array.from({ length: 6 }, (_, i) =>
      addInstance(bed, "running", i % 2 ? "eu-west-1" : "us-east-1"),
    );
    const js = jetstream(bed.nc);
    const requested = await Promise.all(workers.map((worker) => requestLifecycle(bed, worker, "stop")));
    for (const command of requested) {
      const again = createEvent(commands.lifecycle, {
        source: "api",
        subject: command.workerId,
        data: command,
      });
      await js.publish(subjects.lifecycle("stop", command.workerId), encodeEvent(again), {
        msgID: `${lifecycleMsgId(command.workerId, "stop", command.requestId)}:again`,
      });
    }
    await waitFor(() => requested.every((command) => outcomesOf(bed, command.requestId).length === 2), {
      timeoutMs: 20_000,
      what: "both deliveries of every request answered",
    });
    for (const command of requested) {
      const [first, second] = outcomesOf(bed, command.requestId);
      expect(second).toEqual(first);
      expect(first?.outcome).toBe("accepted");
    }
    expect(stateChangingCalls(bed, "StopInstances")).toBe(6);
  });

  it("terms a command whose subject does not match its data, and goes on with the next", async () => {
    await startReplica(bed);
    const worker = addInstance(bed);
    const command = {
      ...worker,
      action: "start" as const,
      requestedBy: "mallory",
      reason: "operator" as const,
    };
    const misaddressed = createEvent(commands.lifecycle, {
      source: "api",
      data: { ...command, dryRun: false, requestId: "misaddressed-1" },
    });
    // A start whose subject says stop: executing either would do what the other asked for.
    await jetstream(bed.nc).publish(subjects.lifecycle("stop", worker.workerId), encodeEvent(misaddressed));
    const next = await requestLifecycle(bed, worker, "stop");
    expect(await outcomeOf(bed, next.requestId)).toMatchObject({ outcome: "accepted" });
    expect(outcomesOf(bed, "misaddressed-1")).toEqual([]);
    expect(stateChangingCalls(bed, "StartInstances")).toBe(0);
  });
});

describe("worker-lifecycle checks its EC2 permissions with DryRun at start", () => {
  it("finds them allowed in every region, or denied where a policy lacks one", async () => {
    addInstance(bed);
    bed.sim.faults.add({ service: "ec2", action: "TerminateInstances", region: "eu-west-1", kind: "deny" });
    const replica = await startReplica(bed);
    const checks = await replica.permissions;
    expect(checks).toHaveLength(8);
    expect(checks.filter((check) => check.state !== "allowed")).toEqual([
      expect.objectContaining({ permission: "ec2:TerminateInstances", region: "eu-west-1", state: "denied" }),
    ]);
    expect(stateChangingCalls(bed, "TerminateInstances")).toBe(0);
  });
});
