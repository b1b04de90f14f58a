import { EC2Client } from "@aws-sdk/client-ec2";
import { useAwsCollectorTestBed } from "@cml-telemetry/aws/testing";
import { parseEventData, telemetry, type WorkerState, workerIdOf } from "@cml-telemetry/contracts";
import { createOpsPublisher, silentLogger } from "@cml-telemetry/messaging";
import { createMetrics } from "@cml-telemetry/observability";
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

/** Publishes refresh commands for the workers, as the API's refresh does. */
async function refresh(workers: readonly WorkerState[], correlationId = "req-1"): Promise<void> {
  await publishCollectCommands({
    js: jetstream(bed.nc),
    service: "collector-ec2",
    source: "ec2",
    targets: workers.map((w) => ({ workerId: w.id, region: w.region, instanceId: w.instanceId })),
    reason: "refresh",
    correlationId,
  });
}

function failedOf(workerId: string) {
  return bed.capture
    .of(telemetry.ec2Failed.type, workerId)
    .map((e) => parseEventData(telemetry.ec2Failed, e));
}

function statusesOf(workerId: string) {
  return bed.capture
    .of(telemetry.ec2Status.type, workerId)
    .map((e) => parseEventData(telemetry.ec2Status, e));
}

/** A worker state that was seen existing: a status check succeeded a minute ago. */
function seenExisting(): Partial<WorkerState> {
  return {
    ec2Metrics: {
      instanceState: "running",
      instanceStatusCheck: "ok",
      systemStatusCheck: "ok",
      lastCheckedAt: new Date(bed.now() - 60_000).toISOString(),
      lastObservedAt: new Date(bed.now() - 60_000).toISOString(),
      lastError: null,
    },
  };
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

  it("publishes only new or changed instances and checks known ones the filter no longer returns", async () => {
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
    const gone = await putWorker(bed.kv, "eu-west-1", newInstanceId(), seenExisting());
    await startCollector({ now: bed.now });
    await waitFor(() => failedOf(gone.id).length === 1, { what: "missing worker checked" });
    // EC2 is eventually consistent: one NotFound is not a termination (that takes EC2_NOT_FOUND_GRACE_SECONDS).
    expect(failedOf(gone.id)[0]).toMatchObject({ errorType: "not_found", retryable: true });
    expect(statusesOf(gone.id)).toEqual([]);
    await waitFor(() => bed.capture.of(telemetry.ec2Discovered.type).length >= 1, {
      what: "changed instance",
    });
    expect(bed.capture.of(telemetry.ec2Discovered.type).map((e) => e.subject)).toEqual([
      workerIdOf("eu-west-1", changed.instanceId),
    ]);
  });

  it("names every AMI it can: a deregistered or unshared one is null for its own workers, asked again after an hour", async () => {
    const image = () => `ami-0${newInstanceId().slice(3)}`;
    const [kept, gone, unshared] = ["cml-2.9.1", "cml-2.8.0", "cml-2.9.0-shared"].map((amiName) =>
      bed.fleet.add({
        instanceId: newInstanceId(),
        region: "us-east-1",
        imageId: image(),
        amiName,
        launchTime: Date.now() - 3_600_000,
        tags: { "cml:worker": "true" },
      }),
    );
    bed.fleet.setImageState(gone?.imageId ?? "", "deregistered", "us-east-1");
    bed.fleet.setImageState(unshared?.imageId ?? "", "unshared", "us-east-1");
    await startCollector({ now: bed.now });
    const amiNames = () =>
      new Map(
        bed.capture
          .of(telemetry.ec2Discovered.type)
          .map((e) => parseEventData(telemetry.ec2Discovered, e))
          .map((d) => [d.instanceId, d.amiName]),
      );
    await waitFor(() => amiNames().size === 3, { what: "discovered" });
    expect(amiNames()).toEqual(
      new Map([
        [kept?.instanceId, "cml-2.9.1"],
        [gone?.instanceId, null],
        [unshared?.instanceId, null],
      ]),
    );
    const imageCalls = awsCalls("DescribeImages");
    const discoverAgain = async (slot: number) => {
      const before = awsCalls("DescribeInstances", "us-east-1");
      bed.capture.clear();
      await publishDiscoverCommand({ js: jetstream(bed.nc), region: "us-east-1", slot });
      await waitFor(() => awsCalls("DescribeInstances", "us-east-1") > before && amiNames().size === 3, {
        what: "discovery again",
      });
    };
    // Within the hour the negative answers are remembered: no call for them, no call for the named one.
    await discoverAgain(1_764_072_000);
    expect(awsCalls("DescribeImages")).toBe(imageCalls);
    bed.fleet.setImageState(gone?.imageId ?? "", "available", "us-east-1");
    bed.fleet.clock.advance(3_601_000);
    await discoverAgain(1_764_075_600);
    expect(amiNames().get(gone?.instanceId ?? "")).toBe("cml-2.8.0");
    expect(amiNames().get(unshared?.instanceId ?? "")).toBeNull();
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

  it("reports a just-launched instance EC2 does not find yet as not_found, never as terminated", async () => {
    bed.fleet.setRealism({ ec2ConsistencySeconds: 3_600 });
    const launched = bed.fleet.add({ instanceId: newInstanceId(), region: "us-east-1", state: "pending" });
    const kept = addInstance("us-east-1");
    expect(bed.fleet.isConsistent(launched)).toBe(false);
    // Registered through the API: never seen existing, so even a lasting NotFound is a clear error, not a termination.
    const registered = await putWorker(bed.kv, "us-east-1", launched.instanceId, { status: "UNKNOWN" });
    const keptWorker = await putWorker(bed.kv, "us-east-1", kept.instanceId);
    const metrics = await createMetrics({ service: "collector-ec2", port: 0 });
    bed.track({ stop: () => metrics.close() });
    await startCollector({ schedule: false, now: bed.now, meter: metrics.meter });
    await refresh([registered, keptWorker]);
    await waitFor(() => failedOf(registered.id).length === 1 && statusesOf(keptWorker.id).length === 1, {
      what: "not_found and the other worker's status",
    });
    expect(failedOf(registered.id)[0]).toMatchObject({ errorType: "not_found", retryable: true });
    expect(failedOf(registered.id)[0]?.errorMessage).toMatch(/us-east-1/);
    expect(bed.capture.of(telemetry.ec2Failed.type, registered.id)[0]?.correlationid).toBe("req-1");
    // The consistency delay is a seeded-random 0..3,600 s, so the instance might show up after 901 s; removing it
    // keeps EC2's answer NotFound beyond the grace, as for a worker registered with an id EC2 never had.
    bed.fleet.clock.advance(901_000);
    bed.fleet.remove(launched.instanceId);
    await refresh([registered]);
    await waitFor(() => failedOf(registered.id).length === 2, { what: "second not_found" });
    expect(statusesOf(registered.id)).toEqual([]);
    expect(await metrics.scrape()).toMatch(/collect_errors_total\{[^}]*type="not_found"[^}]*\} 2/);
  });

  it("terminates a worker seen existing only after NotFound lasted the grace; AWS's terminated at once", async () => {
    const removed = addInstance("eu-west-1");
    const terminated = addInstance("eu-west-1");
    const removedWorker = await putWorker(bed.kv, "eu-west-1", removed.instanceId, seenExisting());
    const terminatedWorker = await putWorker(bed.kv, "eu-west-1", terminated.instanceId, seenExisting());
    bed.fleet.remove(removed.instanceId);
    bed.fleet.update(terminated.instanceId, { action: "terminate" });
    await startCollector({ schedule: false, now: bed.now, notFoundGraceSeconds: 900 });
    await refresh([removedWorker, terminatedWorker]);
    await waitFor(
      () => failedOf(removedWorker.id).length === 1 && statusesOf(terminatedWorker.id).length === 1,
      {
        what: "first answers",
      },
    );
    expect(statusesOf(terminatedWorker.id)[0]?.instanceState).toBe("shutting-down");
    bed.fleet.clock.advance(600_000);
    await refresh([removedWorker]);
    await waitFor(() => failedOf(removedWorker.id).length === 2, { what: "still within the grace" });
    expect(statusesOf(removedWorker.id)).toEqual([]);
    bed.fleet.clock.advance(301_000);
    await refresh([removedWorker]);
    await waitFor(() => statusesOf(removedWorker.id).length === 1, { what: "terminated after the grace" });
    expect(statusesOf(removedWorker.id)[0]).toMatchObject({
      instanceState: "terminated",
      instanceStatus: "not-applicable",
      systemStatus: "not-applicable",
    });
  });

  it("collects every other id of a call with a malformed or unknown id in it", async () => {
    const instances = Array.from({ length: 99 }, () => addInstance("us-east-1"));
    const workers = await Promise.all(instances.map((i) => putWorker(bed.kv, "us-east-1", i.instanceId)));
    // Accepted by the message contract, refused by EC2 (10 hex digits): the collector never sends it.
    const malformed = await putWorker(bed.kv, "us-east-1", "i-0123456789");
    const removed = instances[40];
    bed.fleet.remove(removed?.instanceId ?? "");
    const collector = await startCollector({ schedule: false });
    await waitFor(() => collector.directory.size() === 100, { what: "directory" });
    await refresh([...workers, malformed]);
    await waitFor(() => bed.capture.of(telemetry.ec2Status.type).length === 98, { what: "98 statuses" });
    await waitFor(() => bed.capture.of(telemetry.ec2Failed.type).length === 2, { what: "two failures" });
    expect(failedOf(malformed.id)[0]).toMatchObject({ errorType: "malformed_id", retryable: false });
    expect(failedOf(workers[40]?.id ?? "")[0]).toMatchObject({ errorType: "not_found" });
    // One call for the 99 sendable ids, one more without the id NotFound named: at most log2(100) extra calls.
    expect(awsCalls("DescribeInstanceStatus")).toBeLessThanOrEqual(1 + Math.ceil(Math.log2(100)));
    expect(bed.sim.calls().errors["InvalidInstanceID.Malformed"]).toBeUndefined();
  });

  it("leaves a command of a region it does not serve to a replica that serves it", async () => {
    const instance = addInstance("eu-west-1");
    const worker = await putWorker(bed.kv, "eu-west-1", instance.instanceId);
    const eastOnly = new Map([...ec2Clients()].filter(([region]) => region === "us-east-1"));
    const east = await startCollector({ schedule: false, clients: eastOnly });
    await refresh([worker]);
    await waitFor(() => east.directory.size() === 1, { what: "directory" });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(statusesOf(worker.id)).toEqual([]);
    const westOnly = new Map([...ec2Clients()].filter(([region]) => region === "eu-west-1"));
    await startCollector({ schedule: false, clients: westOnly });
    await waitFor(() => statusesOf(worker.id).length === 1, {
      what: "collected by the replica serving eu-west-1",
    });
    expect(bed.capture.of(telemetry.ec2Status.type, worker.id)[0]?.correlationid).toBe("req-1");
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
