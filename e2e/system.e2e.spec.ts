import {
  createTopology,
  definitionOfType,
  opsEvents,
  parseEventData,
  subjects,
} from "@cml-telemetry/contracts";
import { createCloudEventSchemaValidator } from "@cml-telemetry/contracts/testing";
import { type RunningSystem, startSystem, waitFor } from "@cml-telemetry/testing";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ApiWorker,
  api,
  capturePublished,
  listWorkers,
  readStream,
  readWorkQueue,
  type StreamMessage,
  sim,
} from "./helpers.ts";

let system: RunningSystem;
let nc: NatsConnection;
const topology = createTopology();
const workQueues = Object.values(topology.streams).filter((stream) => stream.retention === "workqueue");
/** Messages of the work-queue streams (commands), seen as they are published: handled ones leave the stream. */
let workQueueTraffic: ReturnType<typeof capturePublished> | undefined;

interface SimInstance {
  instanceId: string;
  region: string;
  state: string;
  tags: Record<string, string>;
}

async function instanceByName(name: string): Promise<SimInstance> {
  return await sim<SimInstance>(system.simUrl, `/instances/${name}`);
}

function workerNamed(workers: ApiWorker[], name: string): ApiWorker {
  const worker = workers.find((candidate) => candidate.name === name);
  if (!worker) throw new Error(`no worker named ${name} (have ${workers.map((w) => w.name).join(", ")})`);
  return worker;
}

beforeAll(async () => {
  system = await startSystem({
    env: {
      COLLECT_INTERVAL_EC2_SECONDS: "10",
      COLLECT_INTERVAL_CML_SECONDS: "10",
      COLLECT_INTERVAL_CLOUDWATCH_SECONDS: "60",
      DISCOVERY_INTERVAL_SECONDS: "15",
    },
    simEnv: { FLEET_SIM_WORKERS: "8", FLEET_SIM_CHURN_SECONDS: "0", FLEET_SIM_BOOT_SECONDS: "5" },
  });
  nc = await connect({ servers: system.natsUrl });
  workQueueTraffic = capturePublished(
    nc,
    workQueues.flatMap((stream) => stream.subjects),
  );
});

afterAll(async () => {
  workQueueTraffic?.stop();
  await nc?.close();
  await system?.stop();
});

describe("the whole system on the fleet simulator", () => {
  it("lists the workers of both regions with all three source blocks filled for running ones", async () => {
    const fleet = await sim<{ instances: SimInstance[] }>(system.simUrl, "/fleet");
    const tagged = fleet.instances.filter((instance) => instance.tags["cml:worker"] !== undefined);
    const workers = await waitFor(
      async () => {
        const items = await listWorkers(system.apiUrl);
        const running = items.filter((worker) => worker.status === "RUNNING");
        const filled = running.filter(
          (worker) =>
            worker.ec2_metrics.last_checked_at &&
            worker.cloudwatch_metrics.last_collected_at &&
            worker.cml_metrics.last_synced_at,
        );
        return items.length === tagged.length && running.length > 0 && filled.length === running.length
          ? items
          : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500, what: "every running worker with three filled source blocks" },
    );
    expect(new Set(workers.map((worker) => worker.region))).toEqual(new Set(["us-east-1", "eu-west-1"]));
    expect(workers.some((worker) => worker.name === "bastion-1")).toBe(false);
    const stopped = workerNamed(workers, "cml-worker-03");
    expect(stopped.status).toBe("STOPPED");
    expect(stopped.cloudwatch_metrics.last_collected_at).toBeNull();
  });

  it("probes a worker without a CML server at its loopback public IP and fails only its CML block", async () => {
    await sim(system.simUrl, "/instances", "POST", {
      region: "eu-west-1",
      worker: true,
      cml: false,
      tags: { Name: "cml-worker-without-server" },
    });
    const worker = await waitFor(
      async () => {
        const found = (await listWorkers(system.apiUrl)).find((w) => w.name === "cml-worker-without-server");
        // EC2 is eventually consistent: a just-launched instance is not found by id for up to 20 s, so its EC2 block
        // may carry `not_found` until a later status check succeeds.
        const ec2Settled =
          found?.ec2_metrics.last_checked_at != null && found.ec2_metrics.last_error === null;
        return found?.cml_metrics.last_error && ec2Settled ? found : undefined;
      },
      {
        timeoutMs: 90_000,
        intervalMs: 500,
        what: "a CML failure and a clean EC2 check of the worker without a CML server",
      },
    );
    // The endpoint comes from the simulated public IP, a loopback address: the probe is refused on this machine.
    expect(worker.https_endpoint).toMatch(/^https:\/\/127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/);
    expect(worker.cml_metrics.last_error?.type).toBe("CmlUnreachable");
    expect(worker.status).toBe("RUNNING");
    expect(worker.ec2_metrics.last_error).toBeNull();
  });

  it("shows a value changed in the simulator after a refresh with wait", async () => {
    const workers = await listWorkers(system.apiUrl);
    const target = workers.find((worker) => worker.status === "RUNNING" && worker.name !== "cml-worker-02");
    if (!target?.name) throw new Error("no running worker");
    await sim(system.simUrl, `/instances/${target.name}`, "PATCH", { cpuOverride: 87.5 });
    const { status, body } = await api<ApiWorker>(
      system.apiUrl,
      `/api/v1/workers/${target.id}/refresh?wait=20`,
      {
        method: "POST",
        expect: [200],
      },
    );
    expect(status).toBe(200);
    expect(body.cloudwatch_metrics.cpu_utilization).toBe(87.5);
  });

  it("makes no CloudWatch or CML calls for a stopped worker", async () => {
    const stoppedInstance = await instanceByName("cml-worker-03");
    expect(stoppedInstance.state).toBe("stopped");
    const stopped = workerNamed(await listWorkers(system.apiUrl), "cml-worker-03");
    // The worker has been stopped since the fleet was made. A CloudWatch pass collects every due worker of a region
    // at once and CML is collected for every worker the scheduler names, so once passes of both have completed and
    // the aggregate has applied their telemetry for the other running workers of the region, a collection of the
    // stopped worker (if gating were broken) would be in the telemetry too. Every collection attempt ends in
    // telemetry (metrics or failed), so none for these sources means no calls.
    await waitFor(
      async () => {
        const completed = (await readStream(nc, topology.streams.ops.name))
          .filter((message) => message.event.type === opsEvents.jobCompleted.type)
          .map(
            (message) => message.event.data as { jobId: string; jobName: string; entriesProcessed: number },
          );
        const passed = (jobName: string, jobIdPrefix: string) =>
          completed.some(
            (job) => job.jobName === jobName && job.jobId.startsWith(jobIdPrefix) && job.entriesProcessed > 0,
          );
        const peers = (await listWorkers(system.apiUrl)).filter(
          (worker) =>
            worker.region === stoppedInstance.region &&
            worker.status === "RUNNING" &&
            worker.id !== stopped.id,
        );
        return (
          passed("collect-cloudwatch", `collect-cloudwatch:${stoppedInstance.region}:`) &&
          passed("collect-cml", "collect-cml:") &&
          peers.length > 0 &&
          peers.every(
            (worker) =>
              worker.cloudwatch_metrics.last_collected_at !== null &&
              (worker.cml_metrics.last_synced_at !== null || worker.cml_metrics.last_error !== null),
          )
        );
      },
      {
        timeoutMs: 90_000,
        intervalMs: 500,
        what: `completed CloudWatch and CML collections applied for the running workers of ${stoppedInstance.region}`,
      },
    );
    // Nor did any scheduler name it in a collect command while this file ran.
    const forbidden = new Set([
      subjects.collect("cloudwatch", stopped.id),
      subjects.collect("cml", stopped.id),
    ]);
    const commandsForStopped = (workQueueTraffic?.messages() ?? []).filter((message) =>
      forbidden.has(message.subject),
    );
    expect(commandsForStopped.map((message) => message.subject)).toEqual([]);
    const telemetry = await readStream(nc, topology.streams.telemetry.name);
    const ofStopped = telemetry.filter((message) => message.event.subject === stopped.id);
    expect(ofStopped.length).toBeGreaterThan(0);
    expect(ofStopped.filter((message) => !message.subject.startsWith("cml.telemetry.ec2."))).toEqual([]);
    const cml = await sim<{ calls?: Record<string, number> } | null>(
      system.simUrl,
      "/instances/cml-worker-03/cml",
    );
    expect(Object.values(cml?.calls ?? {}).reduce((sum, count) => sum + count, 0)).toBe(0);
    const worker = (await api<ApiWorker>(system.apiUrl, `/api/v1/workers/${stopped.id}`)).body;
    expect(worker.cloudwatch_metrics).toMatchObject({ last_collected_at: null, last_error: null });
    expect(worker.cml_metrics).toMatchObject({ last_synced_at: null, last_error: null });
  });

  it("fails only the CML block of a worker whose CML server is down, and recovers", async () => {
    const workers = await listWorkers(system.apiUrl);
    const [down, other] = workers.filter(
      (worker) => worker.status === "RUNNING" && worker.service_status === "AVAILABLE",
    );
    if (!down?.name || !other) throw new Error("need two available workers");
    const otherBefore = other.cml_metrics.last_synced_at;
    await sim(system.simUrl, `/instances/${down.name}/cml`, "PATCH", { mode: "down" });
    const failed = await waitFor(
      async () => {
        const worker = (await api<ApiWorker>(system.apiUrl, `/api/v1/workers/${down.id}`)).body;
        return worker.cml_metrics.last_error?.type === "CmlUnreachable" ? worker : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500, what: "CML failure of the downed worker" },
    );
    expect(failed.service_status).toBe("UNAVAILABLE");
    expect(failed.ec2_metrics.last_error).toBeNull();
    expect(failed.status).toBe("RUNNING");
    await waitFor(
      async () =>
        (await api<ApiWorker>(system.apiUrl, `/api/v1/workers/${other.id}`)).body.cml_metrics
          .last_synced_at !== otherBefore,
      { timeoutMs: 30_000, intervalMs: 500, what: "the other worker keeps updating" },
    );
    expect(
      (await api<ApiWorker>(system.apiUrl, `/api/v1/workers/${other.id}`)).body.cml_metrics.last_error,
    ).toBeNull();
    await sim(system.simUrl, `/instances/${down.name}/cml`, "PATCH", { mode: "up" });
    await waitFor(
      async () => {
        const worker = (await api<ApiWorker>(system.apiUrl, `/api/v1/workers/${down.id}`)).body;
        return worker.service_status === "AVAILABLE" && worker.cml_metrics.last_error === null;
      },
      { timeoutMs: 30_000, intervalMs: 500, what: "recovery" },
    );
  });

  it("returns history for a terminated worker", async () => {
    const workers = await listWorkers(system.apiUrl);
    const victim = workers.find(
      (worker) => worker.status === "RUNNING" && worker.cloudwatch_metrics.last_collected_at,
    );
    if (!victim?.name) throw new Error("no running worker with CloudWatch data");
    await sim(system.simUrl, `/instances/${victim.name}`, "PATCH", { state: "terminated" });
    await waitFor(
      async () =>
        (await api<ApiWorker>(system.apiUrl, `/api/v1/workers/${victim.id}`)).body.status === "TERMINATED",
      { timeoutMs: 30_000, intervalMs: 500, what: "TERMINATED" },
    );
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const { body } = await api<{ samples?: unknown[] }>(
      system.apiUrl,
      `/api/v1/workers/${victim.id}/metrics/history?from=${from}&to=${to}`,
    );
    expect(body.samples?.length ?? 0).toBeGreaterThan(0);
  });

  it("publishes on every stream only valid CloudEvents of the contracts, each with Nats-Msg-Id = its id", async () => {
    const validate = createCloudEventSchemaValidator();
    const problems: string[] = [];
    const counts = new Map<string, number>();
    for (const stream of Object.values(topology.streams)) {
      const messages: readonly StreamMessage[] =
        stream.retention === "workqueue"
          ? [...(workQueueTraffic?.messages() ?? []), ...(await readWorkQueue(nc, stream.name))]
          : await readStream(nc, stream.name);
      counts.set(stream.name, messages.length);
      for (const message of messages) {
        const where = `${stream.name} ${message.subject} #${message.seq}`;
        const invalid = validate(message.raw);
        if (invalid) problems.push(`${where}: ${invalid}`);
        if (message.msgId !== message.event.id)
          problems.push(
            `${where}: Nats-Msg-Id ${message.msgId || "(none)"} is not the event id ${message.event.id}`,
          );
        const definition = definitionOfType(message.event.type);
        if (!definition) problems.push(`${where}: unknown type ${message.event.type}`);
        else parseEventData(definition, message.event);
      }
    }
    expect(problems).toEqual([]);
    for (const stream of Object.values(topology.streams))
      expect(counts.get(stream.name), `messages checked on ${stream.name}`).toBeGreaterThan(0);
  });

  it("never connected anywhere but loopback: every process ran under the guard, and it refused nothing", () => {
    const report = system.loopbackGuard();
    const pids = system.processes().map((managed) => managed.child.pid);
    expect(pids.length).toBeGreaterThanOrEqual(7);
    expect(new Set(report.guardedPids)).toEqual(new Set(pids));
    expect(
      report.blocked.map(
        (entry) => `pid ${entry.pid} ${entry.protocol} ${entry.host}:${entry.port}\n${entry.stack}`,
      ),
    ).toEqual([]);
  });
});
