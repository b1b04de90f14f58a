/**
 * One full collection cycle of collector-ec2 and collector-cloudwatch over 10,000 simulated workers in two regions:
 * the fleet simulator (EC2 + CloudWatch wire protocols) runs in-process, the collectors use the real AWS SDK clients
 * and a fresh local nats-server. Worker records are written into KV `cml_workers` directly (as worker-aggregate
 * would hold them), so the cycle is what a running system does at each slot: discovery of both regions, status
 * checks of every worker and CloudWatch metrics of every running worker. AWS calls are read from the simulator's
 * counters and compared with what a one-call-per-worker design (GetMetricStatistics per metric) would make.
 *
 * Run: npm run bench -- collectors
 */
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
import { createFleetModel, startAwsSimulator } from "@cml-telemetry/fleet-sim";
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
const CYCLE_LIMIT_MS = 120_000;

/** Runs the benchmark and returns its result line. */
export async function runCollectorsBench(): Promise<Record<string, unknown> & { bench: string }> {
  const server = await startNatsServer();
  const nc = await connect({ servers: server.url });
  const fleet = createFleetModel({ seed: 7, workers: WORKERS, untagged: 10, regions: REGIONS });
  const sim = await startAwsSimulator({ fleet });
  const ec2Clients = new Map(
    REGIONS.map((r) => [r, new EC2Client({ ...awsClientConfig(sim.url, r, 5), retryMode: "adaptive" })]),
  );
  const cwClients = new Map(
    REGIONS.map((r) => [
      r,
      new CloudWatchClient({ ...awsClientConfig(sim.url, r, 5), retryMode: "adaptive" }),
    ]),
  );
  const stops: Array<() => Promise<void>> = [];
  try {
    const topology = createTopology({ namePrefix: "BENCH_" });
    await provisionTopology(nc, topology, { logger: silentLogger });
    const kv = await openWorkersKv(nc, topology);
    const workers = fleet.instances().filter((i) => i.tags[fleet.workerTagKey] !== undefined);
    for (let i = 0; i < workers.length; i += 500) {
      await Promise.all(
        workers.slice(i, i + 500).map((instance) => {
          const view = fleet.view(instance);
          const id = workerIdOf(view.region, view.instanceId);
          const state: WorkerState = {
            ...initialWorkerStateFixture(id),
            region: view.region,
            instanceId: view.instanceId,
            name: view.tags.Name ?? null,
            instanceType: view.instanceType,
            amiId: view.imageId,
            amiName: view.amiName,
            privateIp: view.privateIpAddress,
            publicIp: view.publicIpAddress,
            tags: view.tags,
            detailedMonitoring: view.detailedMonitoring,
            status: workerStatusFromInstanceState(view.state),
          };
          return kv.put(id, JSON.stringify({ state, outbox: [], recentInputIds: [] }));
        }),
      );
    }
    const runningWorkers = workers.filter((i) => i.state === "running").length;

    const statusSeen = new Set<string>();
    const metricsSeen = new Set<string>();
    let failures = 0;
    const sub = nc.subscribe("cml.telemetry.>", {
      callback: (_error, msg) => {
        const event = decodeEvent(msg.data);
        if (event.type === telemetry.ec2Status.type) statusSeen.add(event.subject ?? "");
        else if (event.type === telemetry.cloudwatchMetrics.type) metricsSeen.add(event.subject ?? "");
        else if (event.type.endsWith(".failed.v1")) failures++;
      },
    });
    let discovered = 0;
    let discoveryPages = 0;
    sim.resetCalls();

    const startupAt = performance.now();
    const ec2 = await startCollectorEc2({
      nc,
      topology,
      logger: silentLogger,
      ops: createOpsPublisher({ nc, service: "collector-ec2", logger: silentLogger }),
      clients: ec2Clients,
      tag: parseWorkerTag(fleet.workerTagKey),
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

    // The cycle: what both replicas' tickers publish in a slot where every worker is due (a 300-second boundary).
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
    const expectedStatuses = workers.filter((i) => i.state !== "terminated").length;
    const deadline = Date.now() + CYCLE_LIMIT_MS;
    while (
      (statusSeen.size < expectedStatuses ||
        metricsSeen.size < runningWorkers ||
        discovered < REGIONS.length) &&
      Date.now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
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
    const calls = sim.calls();
    const byAction = calls.byAction;
    const ec2Calls = Object.entries(byAction)
      .filter(([key]) => key.startsWith("ec2:"))
      .reduce((sum, [, n]) => sum + n, 0);
    const statusCalls = byAction["ec2:DescribeInstanceStatus"] ?? 0;
    const getMetricDataCalls = byAction["cloudwatch:GetMetricData"] ?? 0;
    const goals = {
      getMetricDataCalls: getMetricDataCalls <= Math.ceil((runningWorkers * 2) / 500),
      statusCalls:
        statusCalls ===
        REGIONS.reduce(
          (sum, r) =>
            sum +
            Math.ceil(
              fleet.instances(r).filter((i) => i.tags[fleet.workerTagKey] !== undefined).length / 100,
            ),
          0,
        ),
      cycleUnder15s: cycleSeconds < 15,
    };
    process.stdout.write(
      `${JSON.stringify({
        runningWorkers,
        discoveryPages,
        describeImagesCalls: byAction["ec2:DescribeImages"] ?? 0,
        statusCalls,
        listMetricsCalls: byAction["cloudwatch:ListMetrics"] ?? 0,
        metricQueries: calls.metricQueries,
        metricsRequestedSelfMetric: cloudwatch.metricsRequested(),
        failedEvents: failures,
        startupSeconds: Math.round(startupSeconds * 100) / 100,
        awsErrors: calls.errors,
        goals,
      })}\n`,
    );
    return {
      bench: "collectors",
      workers: WORKERS,
      ec2Calls,
      getMetricDataCalls,
      cycleSeconds: Math.round(cycleSeconds * 100) / 100,
      callsIfOnePerWorker: runningWorkers * 2 + WORKERS,
      runningWorkers,
    };
  } finally {
    for (const stop of stops.reverse()) await stop();
    for (const client of [...ec2Clients.values(), ...cwClients.values()]) client.destroy();
    await nc.drain();
    await sim.close();
    await server.stop();
  }
}

if (isMain(import.meta.url)) {
  printResult(await runCollectorsBench());
}
