import { useAwsCollectorTestBed } from "@cml-telemetry/aws/testing";
import { commands, parseEventData, type WorkerState } from "@cml-telemetry/contracts";
import { idleStopRequestId } from "@cml-telemetry/lifecycle";
import { putWorker } from "@cml-telemetry/scheduling/testing";
import { waitFor } from "@cml-telemetry/testing";
import { describe, expect, it } from "vitest";
import { addInstance, outcomeOf, startReplica, stateChangingCalls } from "./testing/lifecycle-test-bed.ts";

const bed = useAwsCollectorTestBed({ regions: ["us-east-1", "eu-west-1"] });
const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

/** A worker record as the aggregate writes it for a RUNNING worker whose fresh CML data shows nothing running. */
async function putRunningWorker(
  region: string,
  state: "running" | "stopped",
  overrides: (base: WorkerState) => Partial<WorkerState> = () => ({}),
): Promise<WorkerState> {
  const worker = addInstance(bed, state, region);
  const base = await putWorker(bed.kv, region, worker.instanceId);
  const fresh: Partial<WorkerState> = {
    status: "RUNNING",
    serviceStatus: "AVAILABLE",
    runningSince: ago(180),
    lastActivityAt: ago(90),
    activeLabsCount: 0,
    cmlMetrics: {
      ...base.cmlMetrics,
      ready: true,
      labsCount: 2,
      runningLabsCount: 0,
      runningNodes: 0,
      lastSyncedAt: ago(0.1),
    },
  };
  return await putWorker(bed.kv, region, worker.instanceId, {
    ...fresh,
    ...overrides({ ...base, ...fresh }),
  });
}

function commandsFor(workerId: string) {
  return {
    stops: bed.capture
      .of(commands.lifecycle.type, workerId)
      .map((event) => parseEventData(commands.lifecycle, event)),
    skips: bed.capture
      .of(commands.idlePolicy.type, workerId)
      .map((event) => parseEventData(commands.idlePolicy, event)),
  };
}

const policy = (mode: "on" | "dry-run") => ({
  mode,
  thresholdMinutes: 30,
  cmlFreshSeconds: 120,
  snoozeMinutes: 60,
  windows: [],
});

describe("the idle auto-stop policy of worker-lifecycle", () => {
  it("with two replicas, stops an idle worker once and sends one skip per worker it leaves running", async () => {
    const idle = await putRunningWorker("us-east-1", "running");
    const idleElsewhere = await putRunningWorker("eu-west-1", "running");
    const exempt = await putRunningWorker("us-east-1", "running", () => ({
      tags: { "cml:idle-stop": "off" },
    }));
    const nodes = await putRunningWorker("eu-west-1", "running", (base) => ({
      cmlMetrics: { ...base.cmlMetrics, runningNodes: 4 },
    }));
    const busy = await putRunningWorker("us-east-1", "running", () => ({
      activeLabsCount: 1,
      lastActivityAt: ago(0.1),
    }));
    const recorded = await putRunningWorker("us-east-1", "running", () => ({
      tags: { "cml:idle-stop": "off" },
      idleStopSkipped: { reason: "exempt", at: ago(5) },
    }));
    await Promise.all([
      startReplica(bed, { policy: policy("on"), idleCheckIntervalSeconds: 3600 }),
      startReplica(bed, { policy: policy("on"), idleCheckIntervalSeconds: 3600 }),
    ]);
    const requestId = idleStopRequestId(idle.id, idle.lastActivityAt ?? "", "on");
    expect(await outcomeOf(bed, requestId)).toMatchObject({
      outcome: "accepted",
      requestedBy: "idle-policy",
      reason: "idle-policy",
      dryRun: false,
      currentState: "stopping",
    });
    await outcomeOf(bed, idleStopRequestId(idleElsewhere.id, idleElsewhere.lastActivityAt ?? "", "on"));
    await waitFor(() => commandsFor(exempt.id).skips.length > 0 && commandsFor(nodes.id).skips.length > 0, {
      what: "the skips",
    });
    expect(commandsFor(idle.id).stops).toHaveLength(1);
    expect(commandsFor(idle.id).stops[0]?.requestId).toBe(requestId);
    expect(commandsFor(exempt.id)).toEqual({
      stops: [],
      skips: [
        expect.objectContaining({
          decision: "skip",
          reason: "exempt",
          mode: "on",
          idleSince: exempt.lastActivityAt,
        }),
      ],
    });
    expect(commandsFor(nodes.id).skips.map((skip) => skip.reason)).toEqual(["labs-running"]);
    expect(commandsFor(busy.id)).toEqual({ stops: [], skips: [] });
    expect(commandsFor(recorded.id)).toEqual({ stops: [], skips: [] });
    expect(stateChangingCalls(bed, "StopInstances")).toBe(2);
  });

  it("in dry-run asks EC2 with DryRun only: the idle worker keeps running", async () => {
    const idle = await putRunningWorker("us-east-1", "running");
    await startReplica(bed, { policy: policy("dry-run"), idleCheckIntervalSeconds: 3600 });
    const outcome = await outcomeOf(bed, idleStopRequestId(idle.id, idle.lastActivityAt ?? "", "dry-run"));
    expect(outcome).toMatchObject({ outcome: "dry-run", dryRun: true, currentState: "running" });
    expect(stateChangingCalls(bed, "StopInstances")).toBe(0);
    expect(bed.fleet.get(idle.instanceId).state).toBe("running");
  });

  it("does nothing in mode off", async () => {
    const idle = await putRunningWorker("us-east-1", "running");
    await startReplica(bed, { idleCheckIntervalSeconds: 3600 });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(commandsFor(idle.id)).toEqual({ stops: [], skips: [] });
  });
});
