import { describe, expect, it } from "vitest";
import { createManualClock } from "../testing/manual-clock.ts";
import { createFleetModel } from "./fleet-model.ts";
import { UnknownInstanceError } from "./unknown-instance-error.ts";

describe("createFleetModel", () => {
  it("generates the same fleet for the same seed and a different one for another seed", () => {
    const clock = createManualClock();
    const ids = (seed: number) =>
      createFleetModel({ seed, workers: 30, untagged: 1, now: clock.now })
        .instances()
        .map((i) => i.instanceId);
    expect(ids(7)).toEqual(ids(7));
    expect(ids(7)).not.toEqual(ids(8));
    expect(new Set(ids(7)).size).toBe(31);
  });

  it("gives generated and added instances loopback public IPs only, so nothing probes a real address", () => {
    const fleet = createFleetModel({ workers: 300, untagged: 5, now: createManualClock().now });
    fleet.add({ region: "us-east-1", tags: { Name: "added" } });
    const addresses = fleet.instances().map((instance) => instance.assignedPublicIp);
    expect(addresses).toHaveLength(306);
    for (const address of addresses) expect(address).toMatch(/^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/);
    expect(new Set(addresses).size).toBeGreaterThan(290);
  });

  it("spreads workers over the regions with the realistic mix of cases", () => {
    const fleet = createFleetModel({
      workers: 20,
      untagged: 1,
      regions: ["us-east-1", "eu-west-1"],
      now: createManualClock().now,
    });
    const all = fleet.instances();
    expect(fleet.instances("us-east-1")).toHaveLength(11);
    expect(fleet.instances("eu-west-1")).toHaveLength(10);
    const workers = all.filter((i) => i.tags["cml:worker"] === "true");
    expect(workers).toHaveLength(20);
    expect(all.filter((i) => !("cml:worker" in i.tags)).map((i) => i.tags.Name)).toEqual(["bastion-1"]);
    expect(workers.filter((i) => i.state === "pending")).toHaveLength(1);
    expect(workers.filter((i) => i.state === "stopped")).toHaveLength(1);
    expect(new Set(workers.map((i) => i.agent))).toEqual(
      new Set(["none", "instance-id", "instance-image-type"]),
    );
    expect(workers.some((i) => i.detailedMonitoring)).toBe(true);
    expect(workers.some((i) => !i.detailedMonitoring)).toBe(true);
    expect(workers.every((i) => i.cml)).toBe(true);
  });

  it("moves pending instances to running after the boot time and records the run", () => {
    const clock = createManualClock();
    const fleet = createFleetModel({
      now: clock.now,
      instances: [{ region: "us-east-1", state: "pending", tags: { Name: "w" } }],
    });
    expect(fleet.get("w").state).toBe("pending");
    clock.advance(59_000);
    expect(fleet.get("w").state).toBe("pending");
    clock.advance(1_000);
    const instance = fleet.get("w");
    expect(instance.state).toBe("running");
    expect(instance.runs).toEqual([[clock.now(), null]]);
  });

  it("stops through stopping, releases the public IP and closes the run", () => {
    const clock = createManualClock();
    const fleet = createFleetModel({
      now: clock.now,
      instances: [{ region: "us-east-1", tags: { Name: "w" } }],
    });
    const changes: string[] = [];
    fleet.onChange((c) => changes.push(`${c.type}:${c.instance.state}`));
    expect(fleet.publicIp(fleet.get("w"))).not.toBeNull();
    fleet.update("w", { action: "stop" });
    expect(fleet.get("w").state).toBe("stopping");
    clock.advance(30_000);
    const stopped = fleet.get("w");
    expect(stopped.state).toBe("stopped");
    expect(fleet.publicIp(stopped)).toBeNull();
    expect(stopped.runs.at(-1)?.[1]).toBe(clock.now() - 30_000);
    expect(changes).toEqual(["updated:stopping", "updated:stopped"]);
  });

  it("reports initializing status checks after start, then ok, and honours overrides", () => {
    const clock = createManualClock();
    const fleet = createFleetModel({
      now: clock.now,
      instances: [{ region: "us-east-1", state: "pending", tags: { Name: "w" } }],
    });
    expect(fleet.statusChecks(fleet.get("w")).instanceStatus).toBe("not-applicable");
    clock.advance(60_000);
    expect(fleet.statusChecks(fleet.get("w")).instanceStatus).toBe("initializing");
    clock.advance(120_000);
    expect(fleet.statusChecks(fleet.get("w"))).toEqual({ instanceStatus: "ok", systemStatus: "ok" });
    fleet.update("w", { instanceStatusOverride: "impaired" });
    expect(fleet.statusChecks(fleet.get("w"))).toEqual({ instanceStatus: "impaired", systemStatus: "ok" });
  });

  it("finds instances by id or Name, updates tags and removes them", () => {
    const fleet = createFleetModel({ now: createManualClock().now, workers: 3 });
    const first = fleet.instances()[0];
    expect(fleet.get(first?.instanceId ?? "")).toBe(first);
    expect(fleet.get("cml-worker-01")).toBe(first);
    fleet.update("cml-worker-01", { tags: { Team: null, Owner: "ops" } });
    expect(first?.tags).toMatchObject({ Owner: "ops" });
    expect(first?.tags).not.toHaveProperty("Team");
    fleet.remove("cml-worker-01");
    expect(() => fleet.get("cml-worker-01")).toThrow(UnknownInstanceError);
    expect(fleet.instances()).toHaveLength(2);
  });

  it("refuses impossible lifecycle actions", () => {
    const fleet = createFleetModel({
      now: createManualClock().now,
      instances: [{ region: "us-east-1", state: "stopped", tags: { Name: "w" } }],
    });
    expect(() => fleet.update("w", { action: "stop" })).toThrow(RangeError);
  });
});
