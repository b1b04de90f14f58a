/**
 * One full collection cycle of collector-ec2 and collector-cloudwatch over 10,000 simulated workers in two regions.
 * The fleet simulator (EC2 + CloudWatch wire protocols) runs in a child process with its own event loop; the two
 * collectors run in this process with the real AWS SDK clients against a fresh local nats-server. Worker records
 * are written into KV `cml_workers` directly (as worker-aggregate would hold them), then the cycle is what the
 * collectors' tickers start in a slot where every worker is due: discovery of both regions, status checks of every
 * worker, CloudWatch metrics of every running worker. AWS calls come from the simulator's counters and are compared
 * with a one-call-per-worker design (GetMetricStatistics per metric plus one status call per worker). The simulator
 * runs with its realism modes on: the just-launched (pending) workers are NotFound for a while (EC2 eventual
 * consistency) and answered with ec2.failed not_found, and ListMetrics (RecentlyActive=PT3H) finds memory series.
 *
 * Run: npm run bench -- collectors
 */
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { EC2Client } from "@aws-sdk/client-ec2";
import {
  createTopology,
  decodeEvent,
  telemetry,
  type WorkerState,
  workerIdOf,
  workerStatusFromInstanceState,
} from "@cml-telemetry/contracts";
import { type CallCounts, createFleetModel, startAwsSimulator } from "@cml-telemetry/fleet-sim";
import { awsClientConfig } from "@cml-telemetry/fleet-sim/testing";
import { createOpsPublisher, openWorkersKv, provisionTopology, silentLogger } from "@cml-telemetry/messaging";
import { publishCollectCommands, publishDiscoverCommand, slotOf } from "@cml-telemetry/scheduling";
import { initialWorkerStateFixture } from "@cml-telemetry/scheduling/testing";
import { startNatsServer } from "@cml-telemetry/testing";
import { jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { isCloudWatchDue } from "../services/collector-cloudwatch/src/cloudwatch-schedule-rules.ts";
import { startCollectorCloudWatch } from "../services/collector-cloudwatch/src/start-collector-cloudwatch.ts";
import { isEc2Due } from "../services/collector-ec2/src/ec2-schedule-rules.ts";
import { startCollectorEc2 } from "../services/collector-ec2/src/start-collector-ec2.ts";
import { parseWorkerTag } from "../services/collector-ec2/src/worker-tag.ts";
import { isMain, printResult } from "./report.ts";

const WORKERS = 10_000;
const REGIONS = ["us-east-1", "eu-west-1"];
const WORKER_TAG = "cml:worker";
const CYCLE_LIMIT_MS = 120_000;
const SIMULATOR_FLAG = "--aws-simulator";

/** What the benchmark needs to know of a simulated worker instance. */
interface SimulatedWorker {
  region: string;
  instanceId: string;
  state: string;
  name: string | null;
  instanceType: string;
  imageId: string;
  amiName: string;
  privateIp: string | null;
  publicIp: string | null;
  tags: Record<string, string>;
  detailedMonitoring: boolean;
}

type SimulatorReply =
  | { type: "ready"; url: string; workers: SimulatedWorker[] }
  | { type: "calls"; calls: CallCounts }
  | { type: "reset" };
type SimulatorRequest = { type: "calls" } | { type: "reset" } | { type: "close" };

/** Child mode: runs the AWS simulator and answers call-counter requests over IPC. */
async function serveSimulator(): Promise<void> {
  const fleet = createFleetModel({
    seed: 7,
    workers: WORKERS,
    untagged: 10,
    regions: REGIONS,
    workerTagKey: WORKER_TAG,
  });
  const sim = await startAwsSimulator({ fleet });
  const send = (reply: SimulatorReply): void => {
    process.send?.(reply);
  };
  process.on("message", (request: SimulatorRequest) => {
    if (request.type === "calls") send({ type: "calls", calls: sim.calls() });
    else if (request.type === "reset") {
      sim.resetCalls();
      send({ type: "reset" });
    } else void sim.close().finally(() => process.exit(0));
  });
  const workers = fleet
    .instances()
    .filter((i) => i.tags[WORKER_TAG] !== undefined)
    .map((instance): SimulatedWorker => {
      const view = fleet.view(instance);
      return {
        region: view.region,
        instanceId: view.instanceId,
        state: view.state,
        name: view.tags.Name ?? null,
        instanceType: view.instanceType,
        imageId: view.imageId,
        amiName: view.amiName,
        privateIp: view.privateIpAddress,
        publicIp: view.publicIpAddress,
        tags: view.tags,
        detailedMonitoring: view.detailedMonitoring,
      };
    });
  send({ type: "ready", url: sim.url, workers });
}

function startSimulatorProcess(): Promise<{ child: ChildProcess; url: string; workers: SimulatedWorker[] }> {
  const child = fork(fileURLToPath(import.meta.url), [SIMULATOR_FLAG], {
    execPath: process.execPath,
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("simulator process did not start in 60 s")), 60_000);
    child.once("exit", (code) => reject(new Error(`simulator process exited early (${code})`)));
    child.once("message", (reply: SimulatorReply) => {
      clearTimeout(timer);
      if (reply.type === "ready") resolve({ child, url: reply.url, workers: reply.workers });
      else reject(new Error(`unexpected first message ${reply.type}`));
    });
  });
}

function ask<T extends SimulatorReply["type"]>(
  child: ChildProcess,
  type: T & SimulatorRequest["type"],
): Promise<Extract<SimulatorReply, { type: T }>> {
  return new Promise((resolve) => {
    const onMessage = (reply: SimulatorReply): void => {
      if (reply.type !== type) return;
      child.off("message", onMessage);
      resolve(reply as Extract<SimulatorReply, { type: T }>);
    };
    child.on("message", onMessage);
    child.send({ type } as SimulatorRequest);
  });
}

function workerState(worker: SimulatedWorker): WorkerState {
  return {
    ...initialWorkerStateFixture(workerIdOf(worker.region, worker.instanceId)),
    region: worker.region,
    instanceId: worker.instanceId,
    name: worker.name,
    instanceType: worker.instanceType,
    amiId: worker.imageId,
    amiName: worker.amiName,
    privateIp: worker.privateIp,
    publicIp: worker.publicIp,
    tags: worker.tags,
    detailedMonitoring: worker.detailedMonitoring,
    status: workerStatusFromInstanceState(worker.state),
  };
}

/** Runs the benchmark and returns its result line. */
export async function runCollectorsBench(): Promise<Record<string, unknown> & { bench: string }> {
  const server = await startNatsServer();
  const nc = await connect({ servers: server.url, noAsyncTraces: true });
  const simulator = await startSimulatorProcess();
  const ec2Clients = new Map(
    REGIONS.map((r) => [
      r,
      new EC2Client({ ...awsClientConfig(simulator.url, r, 5), retryMode: "adaptive" }),
    ]),
  );
  const cwClients = new Map(
    REGIONS.map((r) => [
      r,
      new CloudWatchClient({ ...awsClientConfig(simulator.url, r, 5), retryMode: "adaptive" }),
    ]),
  );
  const stops: Array<() => Promise<void>> = [];
  try {
    const topology = createTopology({ namePrefix: "BENCH_" });
    await provisionTopology(nc, topology, { logger: silentLogger });
    const kv = await openWorkersKv(nc, topology);
    const workers = simulator.workers;
    for (let i = 0; i < workers.length; i += 500) {
      await Promise.all(
        workers.slice(i, i + 500).map((worker) => {
          const state = workerState(worker);
          return kv.put(state.id, JSON.stringify({ state, outbox: [], recentInputIds: [] }));
        }),
      );
    }
    const runningWorkers = workers.filter((w) => w.state === "running").length;

    const statusSeen = new Set<string>();
    const metricsSeen = new Set<string>();
    const failuresByType: Record<string, number> = {};
    const sub = nc.subscribe("cml.telemetry.>", {
      callback: (_error, msg) => {
        const event = decodeEvent(msg.data);
        if (event.type === telemetry.ec2Status.type) statusSeen.add(event.subject ?? "");
        else if (event.type === telemetry.cloudwatchMetrics.type) metricsSeen.add(event.subject ?? "");
        else if (event.type.endsWith(".failed.v1")) {
          const { errorType } = event.data as { errorType: string };
          failuresByType[errorType] = (failuresByType[errorType] ?? 0) + 1;
          // A just-launched instance EC2 does not find yet (eventual consistency) is answered with ec2.failed.
          if (event.type === telemetry.ec2Failed.type) statusSeen.add(event.subject ?? "");
        }
      },
    });
    let discovered = 0;
    let discoveryPages = 0;

    const startupAt = performance.now();
    const ec2 = await startCollectorEc2({
      nc,
      topology,
      logger: silentLogger,
      ops: createOpsPublisher({ nc, service: "collector-ec2", logger: silentLogger }),
      clients: ec2Clients,
      tag: parseWorkerTag(WORKER_TAG),
      intervalSeconds: 60,
      discoveryIntervalSeconds: 300,
      schedule: false,
      onDiscovered: (outcome) => {
        discovered++;
        discoveryPages += outcome.pages;
      },
    });
    stops.push(() => ec2.stop());
    const cloudwatch = await startCollectorCloudWatch({
      nc,
      topology,
      logger: silentLogger,
      ops: createOpsPublisher({ nc, service: "collector-cloudwatch", logger: silentLogger }),
      clients: cwClients,
      intervalSeconds: 60,
      schedule: false,
    });
    stops.push(() => cloudwatch.stop());
    const startupSeconds = (performance.now() - startupAt) / 1000;
    await ask(simulator.child, "reset");

    // The cycle: what the replicas' tickers publish in a slot where every worker is due (a 300-second boundary).
    const startedAt = performance.now();
    const slot = slotOf(Date.now(), 300);
    const js = jetstream(nc);
    const states = ec2.directory.list();
    const targetsOf = (list: WorkerState[]) =>
      list.map((w) => ({ workerId: w.id, region: w.region, instanceId: w.instanceId }));
    await Promise.all([
      ...REGIONS.map((region) => publishDiscoverCommand({ js, region, slot })),
      publishCollectCommands({
        js,
        service: "collector-ec2",
        source: "ec2",
        targets: targetsOf(states.filter((w) => isEc2Due(w, slot))),
        reason: "schedule",
        slot,
      }),
      publishCollectCommands({
        js,
        service: "collector-cloudwatch",
        source: "cloudwatch",
        targets: targetsOf(states.filter((w) => isCloudWatchDue(w, slot, 60))),
        reason: "schedule",
        slot,
      }),
    ]);
    const expectedStatuses = workers.filter((w) => w.state !== "terminated").length;
    const phases: Record<string, number> = {};
    const deadline = Date.now() + CYCLE_LIMIT_MS;
    while (
      (statusSeen.size < expectedStatuses ||
        metricsSeen.size < runningWorkers ||
        discovered < REGIONS.length) &&
      Date.now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const elapsed = Math.round(performance.now() - startedAt) / 1000;
      if (statusSeen.size >= expectedStatuses) phases.statusesDoneSeconds ??= elapsed;
      if (metricsSeen.size >= runningWorkers) phases.metricsDoneSeconds ??= elapsed;
      if (discovered >= REGIONS.length) phases.discoveryDoneSeconds ??= elapsed;
    }
    const cycleSeconds = (performance.now() - startedAt) / 1000;
    if (Date.now() >= deadline) {
      throw new Error(
        `cycle incomplete after ${CYCLE_LIMIT_MS / 1000} s: ${statusSeen.size}/${expectedStatuses} statuses, ${metricsSeen.size}/${runningWorkers} metrics, ${discovered}/${REGIONS.length} discoveries`,
      );
    }
    // Let any straggling duplicate work show in the counters before reading them.
    await new Promise((resolve) => setTimeout(resolve, 500));
    sub.unsubscribe();
    const { calls } = await ask(simulator.child, "calls");
    const byAction = calls.byAction;
    const ec2Calls = Object.entries(byAction)
      .filter(([key]) => key.startsWith("ec2:"))
      .reduce((sum, [, n]) => sum + n, 0);
    const statusCalls = byAction["ec2:DescribeInstanceStatus"] ?? 0;
    const getMetricDataCalls = byAction["cloudwatch:GetMetricData"] ?? 0;
    const perRegion = REGIONS.map(
      (r) => workers.filter((w) => w.region === r && w.state !== "terminated").length,
    );
    const statusChunks = perRegion.reduce((sum, n) => sum + Math.ceil(n / 100), 0);
    const goals = {
      getMetricDataCalls: getMetricDataCalls <= Math.ceil((runningWorkers * 2) / 500),
      // A chunk holding just-launched instances EC2 does not find yet is asked once more without them (EC2 names them).
      statusCalls: statusCalls >= statusChunks && statusCalls <= 2 * statusChunks,
      ec2Calls: ec2Calls === discoveryPages + statusCalls + (byAction["ec2:DescribeImages"] ?? 0),
      cycleUnder15s: cycleSeconds < 15,
    };
    process.stdout.write(
      `${JSON.stringify({
        runningWorkers,
        discoveryPages,
        describeImagesCalls: byAction["ec2:DescribeImages"] ?? 0,
        statusCalls,
        statusRetryCalls: statusCalls - statusChunks,
        listMetricsCalls: byAction["cloudwatch:ListMetrics"] ?? 0,
        cloudWatchCallsPerCycle: getMetricDataCalls + (byAction["cloudwatch:ListMetrics"] ?? 0),
        metricQueries: calls.metricQueries,
        metricsRequestedSelfMetric: cloudwatch.metricsRequested(),
        failedEvents: failuresByType,
        startupSeconds: Math.round(startupSeconds * 100) / 100,
        awsErrors: calls.errors,
        ...phases,
        goals,
      })}\n`,
    );
    return {
      bench: "collectors",
      workers: WORKERS,
      ec2Calls,
      discoveryPages,
      describeImagesCalls: byAction["ec2:DescribeImages"] ?? 0,
      statusCalls,
      getMetricDataCalls,
      cycleSeconds: Math.round(cycleSeconds * 100) / 100,
      callsIfOnePerWorker: runningWorkers * 2 + WORKERS,
      runningWorkers,
    };
  } finally {
    for (const stop of stops.reverse()) await stop();
    for (const client of [...ec2Clients.values(), ...cwClients.values()]) client.destroy();
    await nc.drain();
    const exited = new Promise((resolve) => simulator.child.once("exit", resolve));
    simulator.child.send({ type: "close" } satisfies SimulatorRequest);
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    if (simulator.child.exitCode === null) simulator.child.kill("SIGTERM");
    await server.stop();
  }
}

if (process.argv.includes(SIMULATOR_FLAG)) {
  await serveSimulator();
} else if (isMain(import.meta.url)) {
  printResult(await runCollectorsBench());
}
