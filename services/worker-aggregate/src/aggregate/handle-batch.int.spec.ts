import { createTopology, type Topology, TransientError, ValidationError } from "@cml-telemetry/contracts";
import {
  createAckedPublisher,
  type Delivery,
  openWorkersKv,
  provisionTopology,
  silentLogger,
} from "@cml-telemetry/messaging";
import { removeTopology } from "@cml-telemetry/messaging/testing";
import { startNatsServer, type TestNatsServer, uniquePrefix } from "@cml-telemetry/testing";
import { type JsMsg, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createWorkerStore, type WorkerStore } from "../store/worker-store.ts";
import { checkEventLog, readWorkerEvents, readWorkerRecords } from "../testing/event-log.ts";
import { type TelemetryMessage, telemetryMessage } from "../testing/telemetry-messages.ts";
import { at, cloudwatchData, discoveredData, WORKER_ID } from "../testing/worker-fixtures.ts";
import { noopAggregateMetrics } from "./aggregate-metrics.ts";
import { createBatchHandler } from "./handle-batch.ts";
import { createOutboxPublisher } from "./outbox-publisher.ts";
import { createWorkerLocks } from "./worker-locks.ts";

let server: TestNatsServer;
let nc: NatsConnection;
let topology: Topology;

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connect({ servers: server.url });
});
afterAll(async () => {
  await nc?.drain();
  await server?.stop();
});
beforeEach(async () => {
  topology = createTopology({ namePrefix: uniquePrefix() });
  await provisionTopology(nc, topology, { logger: silentLogger });
});
afterEach(async () => {
  await removeTopology(nc, topology);
});

/** The n-th delivery of a message, as the consume loop hands it over. */
function delivery(message: TelemetryMessage, deliveryCount: number): Delivery {
  return {
    event: message.event,
    subject: message.subject,
    streamSequence: 1,
    deliveryCount,
    msg: undefined as unknown as JsMsg,
  };
}

describe("the batch handler", () => {
  it("naks an input that keeps failing transiently, then terms it and records it on the worker", async () => {
    const kv = await openWorkersKv(nc, topology);
    const acked = createAckedPublisher(nc);
    const real = createWorkerStore(kv, { writes: { publisher: acked, bucket: topology.kv.workers.bucket } });
    // KV keeps timing out for the write that would apply this one CloudWatch reading.
    const store: WorkerStore = {
      ...real,
      save: (workerId, record, revision, serialised) =>
        record.state.cloudwatchMetrics.cpuUtilization === 99
          ? Promise.reject(new TransientError("KV write timed out", { code: "KV_UNAVAILABLE" }))
          : real.save(workerId, record, revision, serialised),
    };
    const outcomes: string[] = [];
    const handle = createBatchHandler({
      store,
      publisher: createOutboxPublisher(acked, await jetstreamManager(nc), {
        stream: topology.streams.workerEvents.name,
      }),
      metrics: { ...noopAggregateMetrics, inputHandled: (_, outcome) => outcomes.push(outcome) },
      logger: silentLogger,
      clock: () => new Date(),
      locks: createWorkerLocks(),
      onDetectIdle: async () => 0,
    });
    expect(await handle([delivery(telemetryMessage.discovered(discoveredData()), 1)])).toEqual([undefined]);
    const stuck = telemetryMessage.cloudwatch(cloudwatchData({ cpuUtilization: 99, observedAt: at(1) }));

    const early = await handle([delivery(stuck, 9)]);
    expect(early[0]).toBeInstanceOf(TransientError);
    const last = await handle([delivery(stuck, 10)]);
    expect(last[0]).toBeInstanceOf(ValidationError);
    expect(outcomes).toEqual(["applied", "failed", "gave-up"]);

    const records = await readWorkerRecords(nc, topology);
    expect(records.get(WORKER_ID)?.state.cloudwatchMetrics).toMatchObject({
      cpuUtilization: null,
      lastError: { type: "InputRejected", at: at(1) },
    });
    expect(checkEventLog(await readWorkerEvents(nc, topology), records)).toEqual([]);
    acked.close();
  });
});
