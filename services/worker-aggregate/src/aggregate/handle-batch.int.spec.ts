import { TransientError, ValidationError } from "@cml-telemetry/contracts";
import type { Delivery } from "@cml-telemetry/messaging";
import { useNatsTopology } from "@cml-telemetry/messaging/testing";
import type { JsMsg } from "@nats-io/jetstream";
import { describe, expect, it } from "vitest";
import { checkEventLog, readWorkerEvents, readWorkerRecords } from "../testing/event-log.ts";
import { realProcessorDeps } from "../testing/processor-deps.ts";
import { type TelemetryMessage, telemetryMessage } from "../testing/telemetry-messages.ts";
import { at, cloudwatchData, discoveredData, WORKER_ID } from "../testing/worker-fixtures.ts";
import { noopAggregateMetrics } from "./aggregate-metrics.ts";
import { createBatchHandler } from "./handle-batch.ts";

const nats = useNatsTopology();

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
    // KV keeps timing out for the write that would apply this one CloudWatch reading.
    const deps = await realProcessorDeps(nats.nc, nats.topology, (real) => ({
      ...real,
      save: (workerId, record, revision, serialised) =>
        record.state.cloudwatchMetrics.cpuUtilization === 99
          ? Promise.reject(new TransientError("KV write timed out", { code: "KV_UNAVAILABLE" }))
          : real.save(workerId, record, revision, serialised),
    }));
    const outcomes: string[] = [];
    const handle = createBatchHandler({
      ...deps,
      metrics: { ...noopAggregateMetrics, inputHandled: (_, outcome) => outcomes.push(outcome) },
      onDetectIdle: async () => 0,
    });
    expect(await handle([delivery(telemetryMessage.discovered(discoveredData()), 1)])).toEqual([undefined]);
    const stuck = telemetryMessage.cloudwatch(cloudwatchData({ cpuUtilization: 99, observedAt: at(1) }));

    const early = await handle([delivery(stuck, 9)]);
    expect(early[0]).toBeInstanceOf(TransientError);
    const last = await handle([delivery(stuck, 10)]);
    expect(last[0]).toBeInstanceOf(ValidationError);
    expect(outcomes).toEqual(["applied", "failed", "gave-up"]);

    const records = await readWorkerRecords(nats.nc, nats.topology);
    expect(records.get(WORKER_ID)?.state.cloudwatchMetrics).toMatchObject({
      cpuUtilization: null,
      lastError: { type: "InputRejected", at: at(1) },
    });
    expect(checkEventLog(await readWorkerEvents(nats.nc, nats.topology), records)).toEqual([]);
    deps.close();
  });
});
