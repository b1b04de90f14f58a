import { request } from "node:https";
import { DescribeInstancesCommand, EC2Client } from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFleetModel } from "../model/fleet-model.ts";
import { awsClientConfig } from "../testing/aws-client-config.ts";
import { createManualClock } from "../testing/manual-clock.ts";
import { CML_ENDPOINT_TAG } from "./cml-fleet-binding.ts";
import { type FleetSimulator, startFleetSimulator } from "./fleet-simulator.ts";

const clock = createManualClock(Date.now());
let sim: FleetSimulator;

/** GET/POST against a simulated CML server; resolves the status code, or "reset" when the connection is refused/reset. */
function cmlStatus(endpoint: string, path: string, body?: unknown): Promise<number | "reset"> {
  return new Promise((resolve) => {
    const req = request(
      `${endpoint}/api/v0${path}`,
      {
        method: body ? "POST" : "GET",
        ca: sim.caCertPem,
        servername: sim.cml?.certificateHost,
        headers: { "content-type": "application/json" },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", () => resolve("reset"));
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

async function control(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${sim.url}/_sim${path}`, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

beforeAll(async () => {
  sim = await startFleetSimulator({
    fleet: createFleetModel({ seed: 5, workers: 4, untagged: 1, now: clock.now }),
    cml: {
      username: "admin",
      password: "pw",
      certificateHost: "cml-controller.sim.example",
      spec: { trickle: { bytesPerWrite: 64, intervalMs: 1 } },
    },
    tickMs: 60_000,
  });
  await sim.settle();
});
afterAll(async () => {
  await sim.close();
});

describe("startFleetSimulator with a lab profile", () => {
  it("gives labs to one controller in `oneIn`, with the profile's count and running labs", async () => {
    const profiled = await startFleetSimulator({
      fleet: { seed: 3, workers: 40 },
      cml: { username: "admin", password: "pw", labs: { oneIn: 4, count: 6, running: 2 } },
      tickMs: 60_000,
    });
    try {
      const specs = profiled.fleet
        .instances()
        .map((instance) => profiled.cml?.get(instance.instanceId))
        .filter((spec) => spec !== undefined);
      expect(specs).toHaveLength(40);
      const withLabs = specs.filter((spec) => spec.labs.length > 0);
      expect(withLabs.length).toBeGreaterThan(4);
      expect(withLabs.length).toBeLessThan(20);
      for (const spec of withLabs) {
        expect(spec.labs).toHaveLength(6);
        expect(spec.labs.filter((lab) => lab.state === "STARTED")).toHaveLength(2);
        expect(spec.runningNodes).toBe(10);
      }
      for (const spec of specs.filter((candidate) => candidate.labs.length === 0))
        expect(spec.runningNodes).toBe(0);
    } finally {
      await profiled.close();
    }
  });
});

describe("startFleetSimulator", () => {
  it("gives every worker a CML server and publishes it as the cml:endpoint tag", async () => {
    const out = await new EC2Client(awsClientConfig(sim.url, "eu-west-1", 1)).send(
      new DescribeInstancesCommand({}),
    );
    const tags = out.Reservations?.flatMap((r) => r.Instances ?? []).map((i) =>
      Object.fromEntries((i.Tags ?? []).map((t) => [t.Key, t.Value])),
    );
    const workers = tags?.filter((t) => t["cml:worker"]);
    expect(workers?.length).toBe(2);
    expect(workers?.every((t) => /^https:\/\/127\.0\.0\.1:\d+$/.test(t[CML_ENDPOINT_TAG] ?? ""))).toBe(true);
    expect(tags?.filter((t) => !t["cml:worker"]).every((t) => !(CML_ENDPOINT_TAG in t))).toBe(true);
  });

  it("starts every CML server with the composition's behaviours: its certificate's host and spec", () => {
    expect(sim.cml?.certificateHost).toBe("cml-controller.sim.example");
    const running = sim.fleet
      .instances()
      .filter((instance) => instance.cml && sim.cml?.get(instance.instanceId));
    expect(running.length).toBeGreaterThan(0);
    for (const instance of running) {
      expect(sim.cml?.get(instance.instanceId)).toMatchObject({
        trickle: { bytesPerWrite: 64, intervalMs: 1 },
        labTiles: "documented",
      });
    }
  });

  it("boots the pending worker's CML server after the instance runs and its boot time passed", async () => {
    const pending = sim.fleet.instances().find((i) => i.state === "pending");
    const endpoint = pending?.tags[CML_ENDPOINT_TAG] ?? "";
    expect(await cmlStatus(endpoint, "/system_information")).toBe(502);
    clock.advance(60_000);
    await sim.settle();
    expect(sim.fleet.get(pending?.instanceId ?? "").state).toBe("running");
    expect(await cmlStatus(endpoint, "/system_information")).toBe(502);
    clock.advance(90_000);
    await sim.settle();
    expect(await cmlStatus(endpoint, "/system_information")).toBe(200);
  });

  it("takes a stopped worker's CML server down, and brings it back when started", async () => {
    const worker = sim.fleet.instances().find((i) => i.state === "running" && i.cml);
    const endpoint = worker?.tags[CML_ENDPOINT_TAG] ?? "";
    expect(await cmlStatus(endpoint, "/system_information")).toBe(200);
    const stopped = await control("PATCH", `/instances/${worker?.tags.Name}`, { action: "stop" });
    expect(stopped.json).toMatchObject({ state: "stopping", cmlServer: { spec: { mode: "down" } } });
    expect(await cmlStatus(endpoint, "/system_information")).toBe("reset");
    clock.advance(30_000);
    await sim.settle();
    await control("PATCH", `/instances/${worker?.instanceId}`, { action: "start" });
    clock.advance(60_000);
    await sim.settle();
    expect(await cmlStatus(endpoint, "/system_information")).toBe(200);
  });

  it("delegates the CML behaviour to the pool through the control API", async () => {
    const worker = sim.fleet.instances().find((i) => i.state === "running" && i.cml);
    const endpoint = worker?.tags[CML_ENDPOINT_TAG] ?? "";
    expect(await cmlStatus(endpoint, "/authenticate", { username: "admin", password: "pw" })).toBe(200);
    const changed = await control("PATCH", `/instances/${worker?.instanceId}/cml`, {
      mode: "bad-credentials",
      version: "2.9.0+build.3",
    });
    expect(changed.json).toMatchObject({
      chosenMode: "bad-credentials",
      spec: { mode: "bad-credentials", version: "2.9.0+build.3" },
    });
    expect(await cmlStatus(endpoint, "/authenticate", { username: "admin", password: "pw" })).toBe(403);
    expect(
      (await control("PATCH", `/instances/${worker?.instanceId}/cml`, { mode: "sideways" })).status,
    ).toBe(400);
    const calls = (await control("GET", "/calls")).json as { cml: Record<string, number> };
    expect(calls.cml.authenticate).toBeGreaterThanOrEqual(2);
  });

  it("serves the control API for instances, faults and counters", async () => {
    const added = await control("POST", "/instances", {
      region: "us-east-1",
      tags: { Name: "extra", "cml:worker": "true" },
      cml: true,
    });
    expect(added.status).toBe(201);
    await sim.settle();
    expect((await control("GET", "/instances/extra")).json).toMatchObject({
      state: "running",
      tags: { [CML_ENDPOINT_TAG]: expect.stringMatching(/^https:/) },
    });
    expect((await control("PATCH", "/instances/extra", { cpuOverride: 150 })).status).toBe(400);
    expect((await control("PATCH", "/instances/nope", { cpuOverride: 10 })).status).toBe(404);
    const fault = await control("POST", "/faults", { service: "ec2", kind: "throttle", count: 1 });
    expect(fault.json).toMatchObject({ id: expect.any(String), remaining: 1 });
    expect(((await control("GET", "/faults")).json as { faults: unknown[] }).faults).toHaveLength(1);
    await control("DELETE", "/faults");
    expect((await control("DELETE", "/instances/extra")).status).toBe(200);
    await sim.settle();
    expect(sim.cml?.get((added.json as { instanceId: string }).instanceId)).toBeUndefined();
    const fleet = (await control("GET", "/fleet?region=eu-west-1")).json as {
      instances: Array<{ region: string }>;
    };
    expect(fleet.instances.every((i) => i.region === "eu-west-1")).toBe(true);
    await control("DELETE", "/calls");
    expect(((await control("GET", "/calls")).json as { aws: { total: number } }).aws.total).toBe(0);
  });

  it("answers a change with the simulated time it took effect, and a CPU change with its datapoint's visibility", async () => {
    const worker = sim.fleet.instances().find((i) => i.state === "running" && i.cml);
    const before = clock.now();
    const changed = (await control("PATCH", `/instances/${worker?.instanceId}`, { cpuChange: 93 })).json as {
      appliedAt: number;
      cpuChanges: Array<{ at: number; value: number }>;
      cpuChangeVisibility: { periodStart: number; visibleAt: number };
    };
    expect(changed.appliedAt).toBe(before);
    expect(changed.cpuChanges.at(-1)).toEqual({ at: before, value: 93 });
    expect(changed.cpuChangeVisibility.periodStart).toBeGreaterThanOrEqual(before);
    expect(changed.cpuChangeVisibility.visibleAt).toBeGreaterThan(changed.cpuChangeVisibility.periodStart);
    const labs = (await control("PATCH", `/instances/${worker?.instanceId}/cml`, { labs: [] })).json as {
      appliedAt: number;
      spec: { labs: unknown[] };
    };
    expect(labs).toMatchObject({ appliedAt: before, spec: { labs: [] } });
    expect((await control("PATCH", `/instances/${worker?.instanceId}`, { cpuChange: 101 })).status).toBe(400);
  });

  it("moves the clock, tunes realism modes and deregisters AMIs through the control API", async () => {
    const before = Date.parse(((await control("GET", "/clock")).json as { now: string }).now);
    const moved = await control("POST", "/clock", { advanceSeconds: 900 });
    expect(moved.json).toMatchObject({ offsetSeconds: 900 });
    expect(Date.parse((moved.json as { now: string }).now) - before).toBeGreaterThanOrEqual(900_000);
    expect((await control("POST", "/clock", { advanceSeconds: -1 })).status).toBe(400);
    expect((await control("GET", "/realism")).json).toMatchObject({ ec2ConsistencySeconds: 20 });
    expect((await control("PATCH", "/realism", { ec2ConsistencySeconds: 5 })).json).toMatchObject({
      ec2ConsistencySeconds: 5,
      metricListingDays: 14,
    });
    expect((await control("PATCH", "/realism", { bogus: 1 })).status).toBe(400);
    const images = (await control("GET", "/images?region=us-east-1")).json as {
      images: Array<{ imageId: string; state: string }>;
    };
    const imageId = images.images[0]?.imageId ?? "";
    expect(images.images[0]?.state).toBe("available");
    const changed = await control("PATCH", `/images/${imageId}`, { state: "deregistered" });
    expect(changed.json).toMatchObject({ images: [{ imageId, state: "deregistered" }] });
    expect((await control("PATCH", "/images/ami-0ffffffffffffffff", { state: "unshared" })).status).toBe(404);
    await control("PATCH", `/images/${imageId}`, { state: "available" });
    await control("PATCH", "/realism", { ec2ConsistencySeconds: 20 });
  });
});
