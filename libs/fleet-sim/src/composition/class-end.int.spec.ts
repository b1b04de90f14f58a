import { EC2Client, StopInstancesCommand } from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFleetModel } from "../model/fleet-model.ts";
import { awsClientConfig } from "../testing/aws-client-config.ts";
import { createManualClock } from "../testing/manual-clock.ts";
import { type FleetSimulator, startFleetSimulator } from "./fleet-simulator.ts";

const clock = createManualClock(Date.now());
let sim: FleetSimulator;

function startedLabs(): Map<string, number> {
  const started = new Map<string, number>();
  for (const instance of sim.fleet.instances()) {
    const spec = sim.cml?.get(instance.instanceId);
    if (spec) started.set(instance.instanceId, spec.labs.filter((lab) => lab.state === "STARTED").length);
  }
  return started;
}

beforeAll(async () => {
  sim = await startFleetSimulator({
    fleet: createFleetModel({ seed: 3, workers: 8, now: clock.now, realism: { ec2ConsistencySeconds: 0 } }),
    cml: { username: "admin", password: "pw" },
    tickMs: 60_000,
    labsEndAfterMs: 180_000,
  });
  await sim.settle();
});
afterAll(async () => {
  await sim.close();
});

describe("the composed simulator", () => {
  it("ends one worker's class at the set time: its running labs and nodes stop, once", async () => {
    const before = startedLabs();
    const withLabs = [...before].filter(([, count]) => count > 0).map(([id]) => id);
    expect(withLabs.length).toBeGreaterThan(1);
    clock.advance(179_000);
    await sim.settle();
    expect(startedLabs()).toEqual(before);
    clock.advance(1_000);
    await sim.settle();
    const after = startedLabs();
    const ended = withLabs.filter((id) => after.get(id) === 0);
    expect(ended).toHaveLength(1);
    expect(sim.cml?.get(ended[0] ?? "")?.runningNodes).toBe(0);
    clock.advance(600_000);
    await sim.settle();
    expect(startedLabs()).toEqual(after);
  });

  it("takes a worker stopped through the EC2 API off the network: its CML server goes down", async () => {
    const worker = sim.fleet.instances().find((instance) => instance.state === "running" && instance.cml);
    const ec2 = new EC2Client(awsClientConfig(sim.url, worker?.region ?? "", 1));
    await ec2.send(new StopInstancesCommand({ InstanceIds: [worker?.instanceId ?? ""] }));
    await sim.settle();
    expect(sim.cml?.get(worker?.instanceId ?? "")?.mode).toBe("down");
    clock.advance(40_000);
    await sim.settle();
    expect(sim.fleet.get(worker?.instanceId ?? "").state).toBe("stopped");
  });
});
