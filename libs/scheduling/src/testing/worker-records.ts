import { type WorkerState, type WorkerStatus, workerIdOf } from "@cml-telemetry/contracts";
import type { KV } from "@nats-io/kv";
import { initialWorkerStateFixture } from "./fixtures.ts";

/** Writes a worker record into KV `cml_workers` the way worker-aggregate would (tests run without it). */
export async function putWorker(
  kv: KV,
  region: string,
  instanceId: string,
  overrides: Partial<WorkerState> & { status?: WorkerStatus } = {},
): Promise<WorkerState> {
  const id = workerIdOf(region, instanceId);
  const state: WorkerState = {
    ...initialWorkerStateFixture(id),
    region,
    instanceId,
    status: "RUNNING",
    ...overrides,
  };
  await kv.put(id, JSON.stringify({ state, outbox: [], recentInputIds: [] }));
  return state;
}

/** A fresh, well-formed EC2 instance id. */
export function newInstanceId(): string {
  return `i-0${[...crypto.getRandomValues(new Uint8Array(8))].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}
