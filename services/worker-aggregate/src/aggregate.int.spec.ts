import {
  commands,
  consumerNames,
  createEvent,
  encodeEvent,
  subjects,
  type Topology,
  telemetry,
  type WorkerRecord,
  workerIdOf,
} from "@cml-telemetry/contracts";
import {
  createOpsPublisher,
  type OpsPublisher,
  openWorkersKv,
  publishEvent,
  silentLogger,
} from "@cml-telemetry/messaging";
import { useNatsTopology } from "@cml-telemetry/messaging/testing";
import { waitFor } from "@cml-telemetry/testing";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { noopAggregateMetrics } from "./aggregate/aggregate-metrics.ts";
import { domainEventMsgId, subjectOfOutboxEntry } from "./aggregate/domain-event-message.ts";
import { startWorkerAggregate, type WorkerAggregate } from "./start-worker-aggregate.ts";
import { discoveredRecord } from "./testing/discovered-record.ts";
import { checkEventLog, readWorkerEvents, readWorkerRecords } from "./testing/event-log.ts";
import { fleetTelemetry, fleetWorkerId } from "./testing/fleet-telemetry.ts";
import { type TelemetryMessage, telemetryMessage } from "./testing/telemetry-messages.ts";
import {
  at,
  cloudwatchData,
  cmlData,
  dateAt,
  discoveredData,
  ec2ActionData,
  ec2StatusData,
  idlePolicyData,
  WORKER_ID,
} from "./testing/worker-fixtures.ts";

const nats = useNatsTopology();
let nc: NatsConnection;
let topology: Topology;
let ops: OpsPublisher;
const running: WorkerAggregate[] = [];
const connections: NatsConnection[] = [];

async function startAggregate(
  options: {
    clock?: () => Date;
    thresholdMinutes?: number;
    onAck?: () => void;
    onTerm?: () => void;
    onConflict?: () => void;
    onInput?: (type: string, outcome: string) => void;
    batchSize?: number;
    recordCacheSize?: number;
  } = {},
) {
  const connection = await connect({ servers: nats.server.url });
  connections.push(connection);
  const aggregate = await startWorkerAggregate({
    nc: connection,
    topology,
    logger: process.env.TEST_LOG
      ? { ...silentLogger, warn: (fields, message) => console.warn(message, fields) }
      : silentLogger,
    ops,
    thresholdMinutes: options.thresholdMinutes ?? 30,
    idleCheckIntervalSeconds: 0,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.batchSize ? { batchSize: options.batchSize, batchMode: "eager" as const } : {}),
    ...(options.recordCacheSize !== undefined ? { recordCacheSize: options.recordCacheSize } : {}),
    onOutcome: (outcome) => {
      if (outcome === "ack") options.onAck?.();
      if (outcome === "term") options.onTerm?.();
    },
    metrics: {
      ...noopAggregateMetrics,
      casConflict: () => options.onConflict?.(),
      inputHandled: (type, outcome) => options.onInput?.(type, outcome),
    },
  });
  running.push(aggregate);
  return aggregate;
}

async function publishAll(messages: readonly TelemetryMessage[]): Promise<void> {
  const js = jetstream(nc);
  await Promise.all(messages.map((message) => publishEvent(js, message.subject, message.event)));
}

/** Waits until the consumer has nothing pending or unacknowledged. */
async function drained(stream: string, durable: string): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await waitFor(
    async () => {
      const info = await jsm.consumers.info(stream, durable);
      return info.num_pending === 0 && info.num_ack_pending === 0;
    },
    { timeoutMs: 20_000, what: `${durable} to drain` },
  );
}

const telemetryDrained = () => drained(topology.streams.telemetry.name, consumerNames.aggregateTelemetry);

async function recordOf(workerId: string): Promise<WorkerRecord | undefined> {
  return (await readWorkerRecords(nc, topology)).get(workerId);
}

beforeEach(() => {
  ({ nc, topology } = nats);
  ops = createOpsPublisher({ nc, service: "worker-aggregate", logger: silentLogger });
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((aggregate) => aggregate.stop()));
  await Promise.all(connections.splice(0).map((connection) => connection.drain()));
  await ops.flush();
});

describe("worker-aggregate over JetStream", () => {
  it("applies telemetry: KV state, domain events with deterministic ids and the correlation id carried over", async () => {
    await startAggregate();
    await publishAll([telemetryMessage.discovered(discoveredData())]);
    await telemetryDrained();
    await publishAll([telemetryMessage.cml(cmlData({ observedAt: at(1) }), { correlationId: "refresh-42" })]);
    await telemetryDrained();

    const record = await recordOf(WORKER_ID);
    expect(record?.state).toMatchObject({ status: "RUNNING", serviceStatus: "AVAILABLE", version: 2 });
    const events = await readWorkerEvents(nc, topology);
    // The outbox keeps the last decision's events (published; no second write clears it).
    expect(record?.outbox.map((entry) => entry.id)).toEqual(
      events.map((logged) => logged.id).filter((id) => id.startsWith(`${WORKER_ID}:2:`)),
    );
    expect(events.map((logged) => [logged.id, logged.subject])).toEqual([
      [`${WORKER_ID}:1:0`, `cml.worker.${WORKER_ID}.registered`],
      [`${WORKER_ID}:1:1`, `cml.worker.${WORKER_ID}.instance_assigned`],
      [`${WORKER_ID}:1:2`, `cml.worker.${WORKER_ID}.endpoint_changed`],
      [`${WORKER_ID}:1:3`, `cml.worker.${WORKER_ID}.status_changed`],
      [`${WORKER_ID}:2:0`, `cml.worker.${WORKER_ID}.service_status_changed`],
      [`${WORKER_ID}:2:1`, `cml.worker.${WORKER_ID}.license_changed`],
      [`${WORKER_ID}:2:2`, `cml.worker.${WORKER_ID}.cml_metrics_updated`],
    ]);
    expect(events.slice(4).every((logged) => logged.correlationid === "refresh-42")).toBe(true);
    expect(checkEventLog(events, await readWorkerRecords(nc, topology))).toEqual([]);
  });

  it("two instances on the same durable consumers produce every domain event exactly once", async () => {
    const acked = [0, 0];
    let conflicts = 0;
    await Promise.all(
      [0, 1].map((instance) =>
        startAggregate({
          // Small eager batches make the two instances interleave on the same workers (CAS conflicts).
          batchSize: 16,
          onAck: () => {
            acked[instance] = (acked[instance] ?? 0) + 1;
          },
          onConflict: () => {
            conflicts += 1;
          },
        }),
      ),
    );
    const workers = 40;
    const messages = fleetTelemetry(workers, 6);
    await publishAll(messages.slice(0, workers));
    await publishAll(messages.slice(workers));
    await telemetryDrained();

    const events = await readWorkerEvents(nc, topology);
    const records = await readWorkerRecords(nc, topology);
    expect(records.size).toBe(workers);
    expect(acked.every((count) => count > 0)).toBe(true);
    console.info(`two instances acked ${acked.join(" + ")} messages with ${conflicts} CAS conflicts`);
    expect(checkEventLog(events, records)).toEqual([]);
    for (let n = 0; n < workers; n += 1) {
      const record = records.get(fleetWorkerId(n));
      // The newest observation of each source wins, whatever order the two instances applied them in.
      expect(record?.state.ec2Metrics.lastObservedAt).toBe(at(6));
      expect(record?.state.cloudwatchMetrics.lastCollectedAt).toBe(at(6));
      expect(record?.state.cmlMetrics.lastObservedAt).toBe(at(6));
      expect(
        events.filter(
          (logged) => logged.event.name === "registered" && logged.event.data.workerId === fleetWorkerId(n),
        ),
      ).toHaveLength(1);
    }
  });

  it("terms a malformed or wrong-schema message and applies the next good one", async () => {
    await startAggregate();
    await publishAll([telemetryMessage.discovered(discoveredData())]);
    const js = jetstream(nc);
    await js.publish(subjects.telemetry("cloudwatch", WORKER_ID), new TextEncoder().encode("{not json"));
    const wrong = createEvent(telemetry.cloudwatchMetrics, {
      source: "collector-cloudwatch",
      data: cloudwatchData({ observedAt: at(1) }),
    });
    const wrongWire = {
      ...JSON.parse(new TextDecoder().decode(encodeEvent(wrong))),
      data: { ...cloudwatchData(), cpuUtilization: "high" },
    };
    await js.publish(
      subjects.telemetry("cloudwatch", WORKER_ID),
      new TextEncoder().encode(JSON.stringify(wrongWire)),
    );
    await publishAll([
      telemetryMessage.cloudwatch(cloudwatchData({ observedAt: at(2), cpuUtilization: 33 })),
    ]);
    await telemetryDrained();

    const record = await recordOf(WORKER_ID);
    expect(record?.state.cloudwatchMetrics).toMatchObject({ cpuUtilization: 33, lastCollectedAt: at(2) });
    const names = (await readWorkerEvents(nc, topology)).map((logged) => logged.event.name);
    expect(names.filter((name) => name === "cloudwatch_metrics_updated")).toHaveLength(1);
  });

  it("terms, logs and counts telemetry whose workerId is not the one of its region and instance id, creating no worker", async () => {
    let termed = 0;
    const outcomes: string[] = [];
    await startAggregate({ onTerm: () => (termed += 1), onInput: (_, outcome) => outcomes.push(outcome) });
    const phantom = workerIdOf("eu-west-1", discoveredData().instanceId);
    await publishAll([
      telemetryMessage.discovered(discoveredData({ workerId: phantom })),
      telemetryMessage.discovered(discoveredData()),
    ]);
    await telemetryDrained();

    const records = await readWorkerRecords(nc, topology);
    expect([...records.keys()]).toEqual([WORKER_ID]);
    expect(termed).toBe(1);
    expect(outcomes.sort()).toEqual(["applied", "identity-mismatch"]);
  });

  describe("an input that can never be written", () => {
    /** Makes the workers bucket refuse records larger than `bytes`. */
    async function limitRecordBytes(bytes: number): Promise<void> {
      const jsm = await jetstreamManager(nc);
      const kvStream = `KV_${topology.kv.workers.bucket}`;
      const info = await jsm.streams.info(kvStream);
      await jsm.streams.update(kvStream, { ...info.config, max_msg_size: bytes });
    }

    /**
     * Discovers the worker, then sends a CML reading with `systemInfo` and a CloudWatch reading (CPU 71) one after
     * the other, as one batch, and waits until the aggregate handled them.
     */
    async function discoverThenCmlAndCloudwatch(systemInfo: Record<string, unknown>): Promise<void> {
      await publishAll([telemetryMessage.discovered(discoveredData())]);
      await telemetryDrained();
      const js = jetstream(nc);
      for (const message of [
        telemetryMessage.cml(cmlData({ systemInfo, observedAt: at(1) })),
        telemetryMessage.cloudwatch(cloudwatchData({ cpuUtilization: 71, observedAt: at(1) })),
      ]) {
        await publishEvent(js, message.subject, message.event);
      }
      await telemetryDrained();
    }

    /** A CML system_information body of about `bytes` bytes of JSON. */
    const systemInfoOf = (bytes: number) => ({
      version: "2.9.1+build.7",
      ready: true,
      padding: "x".repeat(bytes),
    });

    it("a 600 KB systemInfo is kept cut down, and the worker's other inputs apply", async () => {
      await startAggregate();
      await discoverThenCmlAndCloudwatch(systemInfoOf(600_000));

      const state = (await recordOf(WORKER_ID))?.state;
      expect(state?.cloudwatchMetrics.cpuUtilization).toBe(71);
      expect(state?.cmlMetrics.systemInfo).toEqual({
        version: "2.9.1+build.7",
        ready: true,
        _truncated: { originalBytes: JSON.stringify(systemInfoOf(600_000)).length, maxBytes: 8_192 },
      });
      expect(
        checkEventLog(await readWorkerEvents(nc, topology), await readWorkerRecords(nc, topology)),
      ).toEqual([]);
    });

    it("a record keeps systemInfo once (state), not again in its outbox", async () => {
      // Records here may hold at most 12 KB: a 7 KB systemInfo fits once, not twice.
      await limitRecordBytes(12_000);
      await startAggregate();
      await publishAll([telemetryMessage.discovered(discoveredData())]);
      await telemetryDrained();
      await publishAll([
        telemetryMessage.cml(cmlData({ systemInfo: systemInfoOf(7_000), observedAt: at(1) })),
      ]);
      await telemetryDrained();

      expect((await recordOf(WORKER_ID))?.state.cmlMetrics.systemInfo).toEqual(systemInfoOf(7_000));
      const published = (await readWorkerEvents(nc, topology)).find(
        (logged) => logged.event.name === "cml_metrics_updated",
      );
      expect(published?.event.data).toMatchObject({ systemInfo: systemInfoOf(7_000) });
    });

    it("is termed, logged and surfaced as source_failed, and the worker's other inputs apply", async () => {
      // Records here may hold at most 9 KB: a 7 KB systemInfo cannot be stored, its failure can.
      await limitRecordBytes(9_000);
      let termed = 0;
      await startAggregate({ onTerm: () => (termed += 1) });
      await discoverThenCmlAndCloudwatch(systemInfoOf(7_000));

      expect(termed).toBe(1);
      const state = (await recordOf(WORKER_ID))?.state;
      expect(state?.cloudwatchMetrics.cpuUtilization).toBe(71);
      expect(state?.cmlMetrics).toMatchObject({
        lastSyncedAt: null,
        lastError: { type: "InputRejected", at: at(1) },
      });
      // The rejection says nothing about CML itself.
      expect(state?.serviceStatus).toBe("UNAVAILABLE");
      const events = await readWorkerEvents(nc, topology);
      expect(events.filter((logged) => logged.event.name === "source_failed")).toHaveLength(1);
      expect(events.some((logged) => logged.event.name === "service_status_changed")).toBe(false);
      expect(checkEventLog(events, await readWorkerRecords(nc, topology))).toEqual([]);
    });
  });

  it("does not roll state back for out-of-order observations, across and within batches", async () => {
    await startAggregate();
    await publishAll([telemetryMessage.discovered(discoveredData())]);
    await telemetryDrained();
    await publishAll([
      telemetryMessage.ec2Status(ec2StatusData({ instanceStatus: "impaired", observedAt: at(10) })),
    ]);
    await telemetryDrained();
    const js = jetstream(nc);
    const late = telemetryMessage.ec2Status(ec2StatusData({ instanceState: "stopped", observedAt: at(5) }));
    const newer = telemetryMessage.cml(cmlData({ observedAt: at(12), runningLabsCount: 1 }));
    const older = telemetryMessage.cml(cmlData({ observedAt: at(11), runningLabsCount: 0, ready: false }));
    for (const message of [late, newer, older]) await publishEvent(js, message.subject, message.event);
    await telemetryDrained();

    const record = await recordOf(WORKER_ID);
    expect(record?.state).toMatchObject({
      status: "RUNNING",
      serviceStatus: "AVAILABLE",
      activeLabsCount: 1,
      lastActivityAt: at(12),
    });
    expect(record?.state.ec2Metrics).toMatchObject({
      lastCheckedAt: at(10),
      instanceStatusCheck: "impaired",
    });
    const events = await readWorkerEvents(nc, topology);
    expect(events.filter((logged) => logged.event.name === "cml_metrics_updated")).toHaveLength(1);
    expect(checkEventLog(events, await readWorkerRecords(nc, topology))).toEqual([]);
  });

  it("applies a redelivered input (same CloudEvent id, new message) once", async () => {
    await startAggregate();
    await publishAll([telemetryMessage.discovered(discoveredData())]);
    const message = telemetryMessage.cloudwatch(cloudwatchData({ observedAt: at(1) }));
    const js = jetstream(nc);
    await publishEvent(js, message.subject, message.event, { msgId: "first-delivery" });
    await telemetryDrained();
    await publishEvent(js, message.subject, message.event, { msgId: "second-delivery" });
    await telemetryDrained();
    const events = await readWorkerEvents(nc, topology);
    expect(events.filter((logged) => logged.event.name === "cloudwatch_metrics_updated")).toHaveLength(1);
    expect((await recordOf(WORKER_ID))?.state.version).toBe(2);
  });

  it("publishes an outbox left by a crash between the KV write and the publish, once, on start", async () => {
    const record = discoveredRecord();
    const kv = await openWorkersKv(nc, topology);
    await kv.create(WORKER_ID, JSON.stringify(record));
    // The first event made it out before the crash; its republish must be dropped by JetStream.
    const first = record.outbox[0] as Record<string, unknown>;
    await jetstream(nc).publish(`cml.worker.${WORKER_ID}.registered`, JSON.stringify(first), {
      msgID: domainEventMsgId(WORKER_ID, 1, 0),
    });

    await startAggregate();
    const logged = await waitFor(async () => {
      const all = await readWorkerEvents(nc, topology);
      return all.length >= 4 ? all : undefined;
    });
    expect(logged.map((entry) => entry.event.name)).toEqual([
      "registered",
      "instance_assigned",
      "endpoint_changed",
      "status_changed",
    ]);
    expect(
      checkEventLog(await readWorkerEvents(nc, topology), await readWorkerRecords(nc, topology)),
    ).toEqual([]);
  });

  it("publishes only the missing part of an outbox found after the stream's duplicate window", async () => {
    // A short duplicate window stands for a restart long after the crash: JetStream can no longer drop repeats, so
    // the aggregate must tell from the stream itself what was published.
    const jsm = await jetstreamManager(nc);
    const stream = topology.streams.workerEvents.name;
    const info = await jsm.streams.info(stream);
    await jsm.streams.update(stream, { ...info.config, duplicate_window: 100 * 1_000_000 });
    const record = discoveredRecord();
    const kv = await openWorkersKv(nc, topology);
    await kv.create(WORKER_ID, JSON.stringify(record));
    for (const entry of record.outbox.slice(0, 2)) {
      await jetstream(nc).publish(subjectOfOutboxEntry(entry), JSON.stringify(entry), {
        msgID: String(entry.id),
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 300));

    await startAggregate();
    await waitFor(async () => (await readWorkerEvents(nc, topology)).length >= 4);
    // A second start (e.g. another replica) must not publish anything again.
    await startAggregate();
    await publishAll([telemetryMessage.cml(cmlData({ observedAt: at(1) }))]);
    await telemetryDrained();
    const logged = await readWorkerEvents(nc, topology);
    expect(logged.map((entry) => entry.id).slice(0, 5)).toEqual([
      `${WORKER_ID}:1:0`,
      `${WORKER_ID}:1:1`,
      `${WORKER_ID}:1:2`,
      `${WORKER_ID}:1:3`,
      `${WORKER_ID}:2:0`,
    ]);
    // checkEventLog also finds any duplicate id and any gap.
    expect(checkEventLog(logged, await readWorkerRecords(nc, topology))).toEqual([]);
  });

  describe("an outbox the stream can no longer hold is never published again", () => {
    /** Runs one discovery through an aggregate and stops it: the record keeps the decision's four events. */
    async function discoverAndStop(): Promise<void> {
      const first = await startAggregate();
      await publishAll([telemetryMessage.discovered(discoveredData())]);
      await telemetryDrained();
      await first.stop();
      expect((await recordOf(WORKER_ID))?.outbox).toHaveLength(4);
    }

    /** Restarts (start-up scan), then makes the aggregate read the record again without a cache (an input it ignores). */
    async function restartAndReread(): Promise<void> {
      await startAggregate({ recordCacheSize: 0 });
      await publishAll([telemetryMessage.discovered(discoveredData({ observedAt: at(-1) }))]);
      await telemetryDrained();
    }

    it("after the stream's max age dropped its events", async () => {
      const jsm = await jetstreamManager(nc);
      const stream = topology.streams.workerEvents.name;
      const info = await jsm.streams.info(stream);
      await jsm.streams.update(stream, {
        ...info.config,
        max_age: 2_000 * 1_000_000,
        duplicate_window: 500 * 1_000_000,
      });
      await discoverAndStop();
      await waitFor(async () => (await jsm.streams.info(stream)).state.messages === 0, {
        timeoutMs: 15_000,
        what: "the events to reach the stream's max age",
      });

      await restartAndReread();
      expect((await jsm.streams.info(stream)).state.messages).toBe(0);
      // Known to be beyond the stream, the entries are dropped from the record.
      expect((await recordOf(WORKER_ID))?.outbox).toEqual([]);
    });

    it("after the stream was purged", async () => {
      const jsm = await jetstreamManager(nc);
      const stream = topology.streams.workerEvents.name;
      // Long after the purge: the stream's duplicate window no longer drops a republished id.
      const info = await jsm.streams.info(stream);
      await jsm.streams.update(stream, { ...info.config, duplicate_window: 100 * 1_000_000 });
      await discoverAndStop();
      await jsm.streams.purge(stream);
      await new Promise((resolve) => setTimeout(resolve, 300));

      await restartAndReread();
      expect((await jsm.streams.info(stream)).state.messages).toBe(0);
      expect((await recordOf(WORKER_ID))?.outbox).toEqual([]);
    });

    it("and an outbox the stream holds is emptied by the start-up scan", async () => {
      await discoverAndStop();
      await startAggregate();
      expect((await recordOf(WORKER_ID))?.outbox).toEqual([]);
      expect(
        checkEventLog(await readWorkerEvents(nc, topology), await readWorkerRecords(nc, topology)),
      ).toEqual([]);
    });
  });

  it("handles registration and idle-detection commands from CML_COMMANDS", async () => {
    let now = dateAt(2);
    await startAggregate({ clock: () => now, thresholdMinutes: 30 });
    const js = jetstream(nc);
    const register = createEvent(commands.register, {
      source: "api",
      data: {
        workerId: WORKER_ID,
        region: "us-east-1",
        instanceId: "i-0123456789abcdef0",
        requestedBy: "ops-team",
      },
      correlationId: "req-1",
    });
    await publishEvent(js, subjects.register(WORKER_ID), register);
    await drained(topology.streams.commands.name, consumerNames.aggregateCommands);
    await publishAll([
      telemetryMessage.discovered(discoveredData({ observedAt: at(0) })),
      telemetryMessage.cml(cmlData({ observedAt: at(1), runningLabsCount: 1 })),
      telemetryMessage.cml(cmlData({ observedAt: at(2), runningLabsCount: 0 })),
    ]);
    await telemetryDrained();

    now = dateAt(45);
    const tick = (slot: number) =>
      createEvent(commands.detectIdle, {
        source: "worker-aggregate",
        id: `worker-aggregate:detect-idle:${slot}`,
        data: { slot },
      });
    await publishEvent(js, subjects.detectIdle, tick(1));
    await drained(topology.streams.commands.name, consumerNames.aggregateCommands);
    now = dateAt(50);
    await publishEvent(js, subjects.detectIdle, tick(2));
    await drained(topology.streams.commands.name, consumerNames.aggregateCommands);

    const events = await readWorkerEvents(nc, topology);
    expect(events[0]).toMatchObject({
      correlationid: "req-1",
      event: { name: "registered", data: { createdBy: "ops-team" } },
    });
    const idle = events.filter((logged) => logged.event.name === "idle_detected");
    expect(idle).toHaveLength(1);
    expect(idle[0]?.event.data).toMatchObject({
      lastActivityAt: at(1),
      idleMinutes: 44,
      thresholdMinutes: 30,
    });
    expect(checkEventLog(events, await readWorkerRecords(nc, topology))).toEqual([]);
  });

  it("applies a lifecycle outcome from CML_TELEMETRY and an idle-policy skip from CML_COMMANDS, each once", async () => {
    await startAggregate();
    const js = jetstream(nc);
    await publishAll([
      telemetryMessage.discovered(discoveredData({ observedAt: at(0) })),
      telemetryMessage.cml(cmlData({ observedAt: at(1), runningLabsCount: 1 })),
      telemetryMessage.cml(cmlData({ observedAt: at(2), runningLabsCount: 0 })),
    ]);
    await telemetryDrained();
    const skip = createEvent(commands.idlePolicy, {
      source: "worker-lifecycle",
      data: idlePolicyData({ reason: "cml-unknown", idleSince: at(1), evaluatedAt: at(40) }),
    });
    await publishEvent(js, subjects.idlePolicy(WORKER_ID), skip);
    await drained(topology.streams.commands.name, consumerNames.aggregateCommands);
    const outcome = (id: string) =>
      createEvent(telemetry.ec2Action, {
        source: "worker-lifecycle",
        id,
        data: ec2ActionData({
          requestedBy: "idle-policy",
          reason: "idle-policy",
          requestId: "idle-1",
          observedAt: at(41),
        }),
        correlationId: "idle-1",
      });
    await publishEvent(js, subjects.telemetry("ec2", WORKER_ID), outcome(`action:${WORKER_ID}:stop:idle-1`));
    // The same outcome published again after the stream's dedupe window (another message, the same request).
    await publishEvent(
      js,
      subjects.telemetry("ec2", WORKER_ID),
      outcome(`action:${WORKER_ID}:stop:idle-1:again`),
    );
    await telemetryDrained();

    const events = await readWorkerEvents(nc, topology);
    const skipped = events.filter((logged) => logged.event.name === "idle_stop_skipped");
    expect(skipped.map((logged) => logged.event.data)).toEqual([
      expect.objectContaining({ reason: "cml-unknown", mode: "on", idleSince: at(1), idleMinutes: 39 }),
    ]);
    const stops = events.filter((logged) => logged.event.name === "stop_requested");
    expect(stops).toHaveLength(1);
    expect(stops[0]).toMatchObject({
      correlationid: "idle-1",
      event: { data: { requestedBy: "idle-policy", outcome: "accepted", currentState: "stopping" } },
    });
    const record = await recordOf(WORKER_ID);
    expect(record?.state).toMatchObject({
      status: "STOPPING",
      stoppedBy: "idle-policy",
      idleStoppedAt: at(41),
      idleStopSkipped: null,
      lastLifecycleAction: { requestId: "idle-1", outcome: "accepted" },
    });
    expect(checkEventLog(events, await readWorkerRecords(nc, topology))).toEqual([]);
  });
});
