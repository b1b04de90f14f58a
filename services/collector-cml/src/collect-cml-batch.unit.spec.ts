import type { CmlClient } from "@cml-telemetry/cml-client";
import {
  type CmlCloudEvent,
  commands,
  correlationIdOf,
  createEvent,
  decodeEvent,
  subjects,
  TransientError,
  ValidationError,
  type WorkerState,
} from "@cml-telemetry/contracts";
import { type Delivery, type OpsPublisher, silentLogger } from "@cml-telemetry/messaging";
import { initialWorkerStateFixture } from "@cml-telemetry/scheduling/testing";
import type { JetStreamClient, JsMsg } from "@nats-io/jetstream";
import { describe, expect, it } from "vitest";
import { createCmlClientCache } from "./cml-client-cache.ts";
import { createCmlBatchHandler } from "./collect-cml-batch.ts";
import { createWorkerReadPolicy } from "./worker-read-policy.ts";

const ids = {
  a: "11111111-1111-4111-8111-111111111111",
  b: "22222222-2222-4222-8222-222222222222",
  stopped: "33333333-3333-4333-8333-333333333333",
};

function worker(id: string, patch: Partial<WorkerState> = {}): WorkerState {
  return {
    ...initialWorkerStateFixture(id),
    status: "RUNNING",
    httpsEndpoint: `https://${id}.example`,
    ...patch,
  };
}

function delivery(workerId: string, reason: "schedule" | "refresh", correlationId?: string): Delivery {
  const event = createEvent(commands.collect, {
    source: "collector-cml",
    subject: workerId,
    correlationId,
    data: { workerId, region: "us-east-1", instanceId: "i-0123456789abcdef0", reason },
  });
  return {
    event: decodeEvent(JSON.stringify(event)),
    subject: subjects.collect("cml", workerId),
    streamSequence: 1,
    deliveryCount: 1,
    msg: { working: () => undefined } as unknown as JsMsg,
  };
}

/** A client whose probe answers `ready: false` (no authenticated call), recording the order of probes. */
function recordingClients(order: string[]) {
  return createCmlClientCache({
    logger: silentLogger,
    createClient: (endpoint): CmlClient => {
      const unused = () => Promise.reject(new Error("not used"));
      return {
        apiBase: endpoint,
        getSystemInformation: async () => {
          order.push(endpoint);
          return { version: "2.9.1", ready: false };
        },
        authenticate: unused,
        listLabIds: unused,
        getLab: unused,
        getLabState: unused,
        getLabSummaries: unused,
        labReadPath: () => undefined,
        getLicensing: unused,
        getSystemStats: unused,
        close: async () => undefined,
      };
    },
  });
}

const quietOps: OpsPublisher = {
  jobStarted: () => undefined,
  jobCompleted: () => undefined,
  jobFailed: () => undefined,
  connectionEstablished: () => undefined,
  connectionClosed: () => undefined,
  dropped: () => 0,
  flush: async () => undefined,
};

function setup(options: { failPublishFor?: string } = {}) {
  const published: Array<{ subject: string; event: CmlCloudEvent<unknown> }> = [];
  const js = {
    publish: async (subject: string, data: Uint8Array) => {
      if (options.failPublishFor !== undefined && subject.endsWith(options.failPublishFor)) {
        throw new Error("no responders");
      }
      published.push({ subject, event: decodeEvent(data) });
      return { duplicate: false, seq: published.length, stream: "CML_TELEMETRY" };
    },
  } as unknown as JetStreamClient;
  const states = new Map([ids.a, ids.b].map((id) => [id, worker(id)]));
  states.set(ids.stopped, worker(ids.stopped, { status: "STOPPED" }));
  const order: string[] = [];
  const handler = createCmlBatchHandler({
    js,
    directory: { get: (id) => states.get(id) },
    clients: recordingClients(order),
    policy: createWorkerReadPolicy(),
    hasCredentials: true,
    concurrency: 1,
    ops: quietOps,
    logger: silentLogger,
  });
  return { handler, published, order };
}

describe("createCmlBatchHandler", () => {
  it("collects refreshes first and each worker once, answering once per correlation id", async () => {
    const { handler, published, order } = setup();
    const results = await handler([
      delivery(ids.a, "schedule"),
      delivery(ids.b, "schedule"),
      delivery(ids.b, "refresh", "corr-1"),
      delivery(ids.b, "refresh", "corr-2"),
    ]);
    expect(results).toEqual([undefined, undefined, undefined, undefined]);
    expect(order).toEqual([`https://${ids.b}.example`, `https://${ids.a}.example`]);
    expect(published.map(({ subject, event }) => [subject, correlationIdOf(event) ?? null])).toEqual([
      [subjects.telemetry("cml", ids.b), "corr-1"],
      [subjects.telemetry("cml", ids.b), "corr-2"],
      [subjects.telemetry("cml", ids.a), null],
    ]);
  });

  it("acks commands of workers that may not be collected without calling CML", async () => {
    const { handler, published, order } = setup();
    const unknown = "44444444-4444-4444-8444-444444444444";
    expect(await handler([delivery(ids.stopped, "schedule"), delivery(unknown, "refresh", "c")])).toEqual([
      undefined,
      undefined,
    ]);
    expect(order).toEqual([]);
    expect(published).toEqual([]);
  });

  it("terms a command whose data breaks the contract and naks a worker whose telemetry could not be published", async () => {
    const { handler, published } = setup({ failPublishFor: ids.a });
    const broken = delivery(ids.b, "schedule");
    const bad: Delivery = {
      ...broken,
      event: decodeEvent(JSON.stringify({ ...broken.event, data: { workerId: 7 } })),
    };
    const results = await handler([bad, delivery(ids.a, "schedule"), delivery(ids.b, "schedule")]);
    expect(results[0]).toBeInstanceOf(ValidationError);
    expect(results[1]).toBeInstanceOf(TransientError);
    expect(results[2]).toBeUndefined();
    expect(published.map(({ subject }) => subject)).toEqual([subjects.telemetry("cml", ids.b)]);
  });
});
