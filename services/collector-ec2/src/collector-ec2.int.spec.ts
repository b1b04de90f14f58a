import { EC2Client } from "@aws-sdk/client-ec2";
import { useAwsCollectorTestBed } from "@cml-telemetry/aws/testing";
import { parseEventData, telemetry, workerIdOf } from "@cml-telemetry/contracts";
import { createOpsPublisher, silentLogger } from "@cml-telemetry/messaging";
import { publishCollectCommands, publishDiscoverCommand } from "@cml-telemetry/scheduling";
import { newInstanceId, putWorker } from "@cml-telemetry/scheduling/testing";
import { waitFor } from "@cml-telemetry/testing";
import { jetstream } from "@nats-io/jetstream";
import { describe, expect, it } from "vitest";
import { type CollectorEc2, startCollectorEc2 } from "./start-collector-ec2.ts";
import { parseWorkerTag } from "./worker-tag.ts";

const REGIONS = ["us-east-1", "eu-west-1"];
const bed = useAwsCollectorTestBed({ regions: REGIONS });

function ec2Clients(maxAttempts = 2): Map<string, EC2Client> {
  return bed.regionClients((config) => new EC2Client(config), maxAttempts);
}

async function startCollector(
  overrides: Partial<Parameters<typeof startCollectorEc2>[0]> = {},
): Promise<CollectorEc2> {
  const collector = await startCollectorEc2({
    nc: bed.nc,
    topology: bed.topology,
    logger: silentLogger,
    ops: createOpsPublisher({ nc: bed.nc, service: "collector-ec2", logger: silentLogger }),
    clients: ec2Clients(),
    tag: parseWorkerTag("cml:worker"),
    intervalSeconds: 3_600,
    discoveryIntervalSeconds: 3_600,
    throttleBackoff: { retries: 1, baseDelayMs: 20 },
    directoryCheckMs: 100,
    ...overrides,
  });
  return bed.track(collector);
}

function addInstance(
  region: string,
  options: { tagged?: boolean; state?: "running" | "stopped" | "terminated" } = {},
) {
  return bed.fleet.add({
    instanceId: newInstanceId(),
    region,
    state: options.state ?? "running",
    launchTime: Date.now() - 3_600_000,
    tags: options.tagged === false ? { Name: "bastion" } : { Name: `cml-${region}`, "cml:worker": "true" },
  });
}

function awsCalls(action: string, region?: string): number {
  const calls = bed.sim.calls();
  return region === undefined
    ? (calls.byAction[`ec2:${action}`] ?? 0)
    : (calls.byRegion[region]?.[`ec2:${action}`] ?? 0);
}

describe("discovery", () => {
  it("publishes the tagged instances of both regions and ignores untagged and long-gone ones", async () => {
    const tagged = REGIONS.flatMap((region) => [
      addInstance(region),
      addInstance(region, { state: "stopped" }),
    ]);
    const untagged = addInstance("us-east-1", { tagged: false });
    const dead = addInstance("eu-west-1", { state: "terminated" });
    await startCollector();
    await waitFor(() => bed.capture.of(telemetry.ec2Discovered.type).length === tagged.length, {
      what: "discovered events",
    });
    const discovered = bed.capture
      .of(telemetry.ec2Discovered.type)
      .map((e) => parseEventData(telemetry.ec2Discovered, e));
    expect(new Set(discovered.map((d) => d.instanceId))).toEqual(new Set(tagged.map((i) => i.instanceId)));
    expect(discovered.some((d) => d.instanceId === untagged.instanceId)).toBe(false);
    expect(discovered.some((d) => d.instanceId === dead.instanceId)).toBe(false);
    const first = tagged[0];
    const one = discovered.find((d) => d.instanceId === first?.instanceId);
    expect(one).toMatchObject({
      workerId: workerIdOf("us-east-1", first?.instanceId ?? ""),
      region: "us-east-1",
      instanceState: "running",
      amiName: first?.amiName,
      tags: { "cml:worker": "true" },
    });
    expect(bed.capture.of(telemetry.ec2Discovered.type, one?.workerId)[0]?.source).toBe(
      "/cml-telemetry/collector-ec2",
    );
    for (const region of REGIONS) expect(awsCalls("DescribeInstances", region)).toBe(1);
    await waitFor(() => bed.capture.of("io.cml-telemetry.job.completed.v1").length >= 2, {
      what: "ops events",
    });
    const jobs = bed.capture
      .of("io.cml-telemetry.job.completed.v1")
      .map((e) => e.data as Record<string, unknown>);
    const discoveries = jobs.filter((job) => job.jobName === "discover-ec2");
    expect(discoveries.map((job) => Number(job.entriesProcessed)).sort()).toEqual([2, 3]);
    expect(bed.capture.of("io.cml-telemetry.job.started.v1").length).toBeGreaterThanOrEqual(2);
  });

  it("publishes only new or changed instances and reports known ones gone from AWS as terminated", async () => {
    const unchanged = addInstance("us-east-1");
    const changed = addInstance("eu-west-1");
    const view = bed.fleet.view(unchanged);
    await putWorker(bed.kv, "us-east-1", unchanged.instanceId, {
      name: view.tags.Name ?? null,
      instanceType: view.instanceType,
      amiId: view.imageId,
      amiName: view.amiName,
      privateIp: view.privateIpAddress,
      publicIp: view.publicIpAddress,
      tags: view.tags,
      detailedMonitoring: view.detailedMonitoring,
    });
    await putWorker(bed.kv, "eu-west-1", changed.instanceId, { instanceType: "t3.nano" });
    const gone = await putWorker(bed.kv, "eu-west-1", newInstanceId());
    await startCollector();
    await waitFor(() => bed.capture.of(telemetry.ec2Status.type, gone.id).length === 1, {
      what: "vanished status",
    });
    expect(
      parseEventData(telemetry.ec2Status, bed.capture.of(telemetry.ec2Status.type, gone.id)[0] as never),
    ).toMatchObject({
      instanceState: "terminated",
      instanceStatus: "not-applicable",
      systemStatus: "not-applicable",
    });
    await waitFor(() => bed.capture.of(telemetry.ec2Discovered.type).length >= 1, {
      what: "changed instance",
    });
    expect(bed.capture.of(telemetry.ec2Discovered.type).map((e) => e.subject)).toEqual([
      workerIdOf("eu-west-1", changed.instanceId),
    ]);
  });

  it("selects workers by key=value tags", async () => {
    const yes = addInstance("us-east-1");
    const no = bed.fleet.add({
      instanceId: newInstanceId(),
      region: "us-east-1",
      tags: { "cml:worker": "false" },
    });
    await startCollector({ tag: parseWorkerTag("cml:worker=true") });
    await waitFor(
      () => awsCalls("DescribeInstances") === 2 && bed.capture.of(telemetry.ec2Discovered.type).length >= 1,
      {
        what: "discovery",
      },
    );
    expect(bed.capture.of(telemetry.ec2Discovered.type).map((e) => e.subject)).toEqual([
      workerIdOf("us-east-1", yes.instanceId),
    ]);
    expect(no.tags["cml:worker"]).toBe("false");
  });
});

describe("status collection", () => {
  it("publishes state and checks, and a change reaches telemetry in the next cycle", async () => {
    const instance = addInstance("us-east-1");
    const worker = await putWorker(bed.kv, "us-east-1", instance.instanceId);
    await startCollector({ intervalSeconds: 2, discoveryIntervalSeconds: 3_600 });
    await waitFor(() => bed.capture.of(telemetry.ec2Status.type, worker.id).length >= 1, {
      what: "first status",
    });
    expect(
      parseEventData(telemetry.ec2Status, bed.capture.of(telemetry.ec2Status.type, worker.id)[0] as never),
    ).toMatchObject({
      instanceState: "running",
      instanceStatus: "ok",
      systemStatus: "ok",
    });
    bed.fleet.update(instance.instanceId, { state: "stopped" });
    await waitFor(
      () =>
        bed.capture
          .of(telemetry.ec2Status.type, worker.id)
          .some((e) => parseEventData(telemetry.ec2Status, e).instanceState === "stopped"),
      { what: "stopped status", timeoutMs: 6_000 },
    );
    const stopped = bed.capture
      .of(telemetry.ec2Status.type, worker.id)
      .map((e) => parseEventData(telemetry.ec2Status, e))
      .at(-1);
    expect(stopped).toMatchObject({ instanceStatus: "not-applicable", systemStatus: "not-applicable" });
  });

  it("reports an instance removed from AWS as terminated (NotFound) while the rest of its chunk is read", async () => {
    const kept = addInstance("eu-west-1");
    const removed = addInstance("eu-west-1");
    const keptWorker = await putWorker(bed.kv, "eu-west-1", kept.instanceId);
    const removedWorker = await putWorker(bed.kv, "eu-west-1", removed.instanceId);
    bed.fleet.remove(removed.instanceId);
    const collector = await startCollector({ schedule: false });
    await publishCollectCommands({
      js: jetstream(bed.nc),
      service: "collector-ec2",
      source: "ec2",
      targets: [keptWorker, removedWorker].map((w) => ({
        workerId: w.id,
        region: w.region,
        instanceId: w.instanceId,
      })),
      reason: "refresh",
      correlationId: "req-1",
    });
    await waitFor(() => bed.capture.of(telemetry.ec2Status.type).length === 2, { what: "two statuses" });
    const byWorker = new Map(bed.capture.of(telemetry.ec2Status.type).map((e) => [e.subject, e]));
    expect(parseEventData(telemetry.ec2Status, byWorker.get(removedWorker.id) as never).instanceState).toBe(
      "terminated",
    );
    expect(parseEventData(telemetry.ec2Status, byWorker.get(keptWorker.id) as never).instanceState).toBe(
      "running",
    );
    expect(byWorker.get(keptWorker.id)?.correlationid).toBe("req-1");
    expect(collector.directory.size()).toBe(2);
  });

  it("skips workers of regions it does not serve without holding up the others", async () => {
    const instance = addInstance("us-east-1");
    const served = await putWorker(bed.kv, "us-east-1", instance.instanceId);
    const foreign = await putWorker(bed.kv, "ap-south-1", newInstanceId());
    await publishCollectCommands({
      js: jetstream(bed.nc),
      service: "collector-ec2",
      source: "ec2",
      targets: [foreign, served].map((w) => ({ workerId: w.id, region: w.region, instanceId: w.instanceId })),
      reason: "refresh",
    });
    await startCollector();
    await waitFor(() => bed.capture.of(telemetry.ec2Status.type, served.id).length >= 2, {
      what: "served worker",
    });
    expect(
      bed.capture.events.filter(
        (e) => e.subject === foreign.id && e.type.startsWith("io.cml-telemetry.ec2."),
      ),
    ).toEqual([]);
    expect(bed.sim.calls().byRegion["ap-south-1"]).toBeUndefined();
  });

  it("survives throttling for two cycles: ec2.failed Throttled, then values recover", async () => {
    const instance = addInstance("us-east-1");
    const other = addInstance("eu-west-1");
    const worker = await putWorker(bed.kv, "us-east-1", instance.instanceId);
    const otherWorker = await putWorker(bed.kv, "eu-west-1", other.instanceId);
    // One SDK attempt plus one own retry per cycle: four throttled answers cover two cycles.
    bed.sim.faults.add({
      service: "ec2",
      action: "DescribeInstanceStatus",
      region: "us-east-1",
      kind: "throttle",
      count: 4,
    });
    await startCollector({ intervalSeconds: 2, clients: ec2Clients(1) });
    await waitFor(() => bed.capture.of(telemetry.ec2Failed.type, worker.id).length >= 2, {
      what: "two failed cycles",
      timeoutMs: 15_000,
    });
    const failed = parseEventData(
      telemetry.ec2Failed,
      bed.capture.of(telemetry.ec2Failed.type, worker.id)[0] as never,
    );
    expect(failed).toMatchObject({ errorType: "Throttled", retryable: true });
    expect(bed.capture.of(telemetry.ec2Status.type, otherWorker.id).length).toBeGreaterThanOrEqual(1);
    await waitFor(() => bed.capture.of(telemetry.ec2Status.type, worker.id).length >= 1, {
      what: "recovered",
      timeoutMs: 15_000,
    });
    expect(bed.sim.calls().errors.RequestLimitExceeded).toBe(4);
    expect(bed.capture.of(telemetry.ec2Failed.type, worker.id)).toHaveLength(2);
  });
});

describe("replicas", () => {
  async function runCycle(replicas: number): Promise<{ status: number; describe: number; statuses: number }> {
    await bed.resetTopology();
    const workers = [];
    for (const instance of bed.fleet.instances())
      workers.push(await putWorker(bed.kv, instance.region, instance.instanceId));
    const collectors = [];
    for (let i = 0; i < replicas; i++) collectors.push(await startCollector({ schedule: false }));
    await Promise.all(
      collectors.map((c) => waitFor(() => c.directory.size() === workers.length, { what: "directory" })),
    );
    bed.sim.resetCalls();
    bed.capture.clear();
    const js = jetstream(bed.nc);
    const slot = 1_764_072_000;
    // Every replica's ticker publishes the same slot; dedupe keeps one command per worker.
    for (let i = 0; i < replicas; i++) {
      await publishCollectCommands({
        js,
        service: "collector-ec2",
        source: "ec2",
        targets: workers.map((w) => ({ workerId: w.id, region: w.region, instanceId: w.instanceId })),
        reason: "schedule",
        slot,
      });
      for (const region of REGIONS) await publishDiscoverCommand({ js, region, slot });
    }
    await waitFor(
      () => new Set(bed.capture.of(telemetry.ec2Status.type).map((e) => e.subject)).size === workers.length,
      {
        what: "every worker's status",
      },
    );
    await waitFor(() => awsCalls("DescribeInstances") === REGIONS.length, { what: "discovery" });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const result = {
      status: awsCalls("DescribeInstanceStatus"),
      describe: awsCalls("DescribeInstances"),
      statuses: bed.capture.of(telemetry.ec2Status.type).length,
    };
    await bed.stopCollectors();
    return result;
  }

  it("two replicas make no more AWS calls per cycle than one", async () => {
    for (let i = 0; i < 30; i++) addInstance(REGIONS[i % 2] as string);
    const one = await runCycle(1);
    const two = await runCycle(2);
    expect(one).toEqual({ status: 2, describe: 2, statuses: 30 });
    expect(two.status).toBeLessThanOrEqual(one.status);
    expect(two.describe).toBeLessThanOrEqual(one.describe);
    expect(two.statuses).toBe(30);
  });
});
