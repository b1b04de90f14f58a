import { describe, expect, it } from "vitest";
import { createManualClock } from "../testing/manual-clock.ts";
import { createFleetModel } from "./fleet-model.ts";
import { UnknownImageError } from "./unknown-image-error.ts";
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
      new Set(["none", "instance-id", "instance-image-type", "instance-image-type-asg"]),
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

  it("ec2-eventual-consistency: id lookups miss an instance for a seeded 0–20 s after launch or worker tagging", () => {
    const clock = createManualClock();
    const fleet = createFleetModel({ now: clock.now });
    const launched = Array.from({ length: 20 }, () => fleet.add({ region: "us-east-1" }));
    const old = fleet.add({ region: "us-east-1", launchTime: clock.now() - 60_000 });
    expect(fleet.isConsistent(old)).toBe(true);
    const missing = () => launched.filter((i) => !fleet.isConsistent(i)).length;
    // Seeded delays spread over the window: most instances are still missing at first, none after 20 s.
    expect(missing()).toBeGreaterThan(10);
    clock.advance(10_000);
    const halfway = missing();
    expect(halfway).toBeGreaterThan(0);
    expect(halfway).toBeLessThan(20);
    clock.advance(10_000);
    expect(missing()).toBe(0);
    const tagged = launched.filter((i) => {
      fleet.update(i.instanceId, { tags: { "cml:worker": "true" } });
      return !fleet.isConsistent(i);
    });
    expect(tagged.length).toBeGreaterThan(10);
    clock.advance(20_000);
    // Only the worker tag counts as the tagging that makes discovery find an instance; other tags do not.
    fleet.update(tagged[0]?.instanceId ?? "", { tags: { Owner: "ops" } });
    expect(fleet.isConsistent(tagged[0] as never)).toBe(true);
    const relaunched = fleet.add({ region: "us-east-1" });
    fleet.setRealism({ ec2ConsistencySeconds: 0 });
    expect(fleet.isConsistent(relaunched)).toBe(true);
    expect(fleet.view(relaunched).consistent).toBe(true);
  });

  it("moves its clock forward only, and lifecycle transitions follow it", () => {
    const base = createManualClock();
    const fleet = createFleetModel({
      now: base.now,
      instances: [{ region: "us-east-1", state: "pending", tags: { Name: "w" } }],
    });
    fleet.clock.advance(60_000);
    expect(fleet.now()).toBe(base.now() + 60_000);
    expect(fleet.clock.offsetMs()).toBe(60_000);
    expect(fleet.get("w").state).toBe("running");
    expect(() => fleet.clock.advance(-1)).toThrow(RangeError);
  });

  it("keeps the AMIs of each region and deregisters or unshares them", () => {
    const fleet = createFleetModel({
      now: createManualClock().now,
      instances: [
        { region: "us-east-1", imageId: "ami-0aaaaaaaaaaaaaaaa", amiName: "cml-2.9" },
        { region: "eu-west-1", imageId: "ami-0aaaaaaaaaaaaaaaa", amiName: "cml-2.9-eu" },
        { region: "us-east-1", imageId: "ami-0bbbbbbbbbbbbbbbb", amiName: "cml-2.8" },
      ],
    });
    expect(fleet.images("us-east-1").map((i) => i.name)).toEqual(["cml-2.9", "cml-2.8"]);
    expect(fleet.setImageState("ami-0aaaaaaaaaaaaaaaa", "deregistered", "eu-west-1")).toHaveLength(1);
    expect(fleet.image("eu-west-1", "ami-0aaaaaaaaaaaaaaaa")?.state).toBe("deregistered");
    expect(fleet.image("us-east-1", "ami-0aaaaaaaaaaaaaaaa")?.state).toBe("available");
    expect(fleet.setImageState("ami-0bbbbbbbbbbbbbbbb", "unshared")).toHaveLength(1);
    expect(() => fleet.setImageState("ami-0cccccccccccccccc", "deregistered")).toThrow(UnknownImageError);
  });

  it("starts a new agent memory series when the agent's dimension set changes (resize, ASG)", () => {
    const clock = createManualClock();
    const fleet = createFleetModel({
      now: clock.now,
      instances: [
        {
          region: "us-east-1",
          tags: { Name: "w" },
          instanceType: "c5.2xlarge",
          launchTime: clock.now() - 3_600_000,
        },
      ],
    });
    const names = () =>
      fleet.view(fleet.get("w")).agentSeries.map((s) => [s.dimensions.map((d) => d.Value)[2], s.to]);
    expect(names()).toEqual([["c5.2xlarge", null]]);
    clock.advance(60_000);
    fleet.update("w", { instanceType: "c5.4xlarge" });
    expect(names()).toEqual([
      ["c5.2xlarge", clock.now()],
      ["c5.4xlarge", null],
    ]);
    fleet.update("w", { agent: "instance-image-type-asg", tags: { "aws:autoscaling:groupName": "workers" } });
    expect(fleet.view(fleet.get("w")).agentSeries.at(-1)?.dimensions.at(-1)).toEqual({
      Name: "AutoScalingGroupName",
      Value: "workers",
    });
    fleet.update("w", { agent: "none" });
    expect(fleet.view(fleet.get("w")).agentSeries.every((s) => s.to !== null)).toBe(true);
  });
});
