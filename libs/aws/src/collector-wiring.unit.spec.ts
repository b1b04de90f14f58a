import { type WorkerState, type WorkerStatus, workerIdOf } from "@cml-telemetry/contracts";
import { silentLogger } from "@cml-telemetry/messaging";
import type { WorkerDirectory } from "@cml-telemetry/scheduling";
import { initialWorkerStateFixture } from "@cml-telemetry/scheduling/testing";
import type { JetStreamClient } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import type { AwsCollectorOptions } from "./collector-options.ts";
import { type AwsCollectRules, createAwsCollectScheduler } from "./collector-wiring.ts";

function worker(region: string, instanceId: string, status: WorkerStatus): WorkerState {
  return { ...initialWorkerStateFixture(workerIdOf(region, instanceId)), region, instanceId, status };
}

const eastRunning = worker("us-east-1", "i-0000000000000000a", "RUNNING");
const workers = [
  eastRunning,
  worker("us-east-1", "i-0000000000000000b", "STOPPED"),
  worker("ap-south-1", "i-0000000000000000c", "RUNNING"),
];

const directory: WorkerDirectory = {
  ready: Promise.resolve(),
  get: (id) => workers.find((worker) => worker.id === id),
  list: () => [...workers],
  size: () => workers.length,
  stop: () => undefined,
};

const rules: AwsCollectRules = {
  source: "cloudwatch",
  isDue: (worker) => worker.status === "RUNNING",
  isEligible: (worker) => worker.status === "RUNNING",
  accepts: () => true,
};

function collectorOptions(schedule?: boolean): AwsCollectorOptions<unknown> {
  return {
    nc: {} as NatsConnection,
    topology: {} as AwsCollectorOptions<unknown>["topology"],
    logger: silentLogger,
    ops: {} as AwsCollectorOptions<unknown>["ops"],
    clients: new Map([["us-east-1", {}]]),
    intervalSeconds: 60,
    ...(schedule === undefined ? {} : { schedule }),
  };
}

describe("AWS collect scheduler wiring", () => {
  it("publishes a slot's commands only for due workers of the regions it has clients for", async () => {
    const subjects: string[] = [];
    const js = {
      publish: async (subject: string) => {
        subjects.push(subject);
        return { duplicate: false, seq: subjects.length, stream: "CML_COMMANDS" };
      },
    } as unknown as JetStreamClient;
    const scheduler = createAwsCollectScheduler(collectorOptions(), { rules, directory, js });
    expect(await scheduler?.publishSlot(1_764_072_000)).toEqual({ published: 1, duplicates: 0 });
    expect(subjects).toEqual([`cml.cmd.collect.cloudwatch.${eastRunning.id}`]);
  });

  it("creates no scheduler for a replica that only consumes commands", () => {
    const js = {} as JetStreamClient;
    expect(createAwsCollectScheduler(collectorOptions(false), { rules, directory, js })).toBeUndefined();
  });
});
