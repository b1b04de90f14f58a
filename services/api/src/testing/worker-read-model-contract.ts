import type { WorkerState } from "@cml-telemetry/contracts";
import { describe, expect, it } from "vitest";
import type { WorkerReadModel } from "../ports.ts";
import { aWorkerState } from "./worker-state-builder.ts";

/** A read model under test plus how its source is written (the KV bucket, or the cache directly). */
export interface WorkerReadModelFixture {
  model: WorkerReadModel;
  put(state: WorkerState): Promise<void>;
  remove(id: string): Promise<void>;
}

async function eventually(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error("read model did not catch up in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The behaviour every {@link WorkerReadModel} must have; run against the cache and the KV-watched model. */
export function describeWorkerReadModelContract(
  name: string,
  fixture: () => Promise<WorkerReadModelFixture>,
): void {
  describe(`WorkerReadModel contract: ${name}`, () => {
    it("is synced and shows written workers, replaced by newer writes", async () => {
      const { model, put } = await fixture();
      expect(model.isSynced()).toBe(true);
      const worker = aWorkerState();
      await put(worker);
      await eventually(() => model.get(worker.id) !== undefined);
      await put({ ...worker, version: 2, name: "renamed" });
      await eventually(() => model.get(worker.id)?.version === 2);
      expect(model.get(worker.id)?.name).toBe("renamed");
    });

    it("iterates in id order from after a given id, and forgets removed workers", async () => {
      const { model, put, remove } = await fixture();
      const workers = [aWorkerState(), aWorkerState(), aWorkerState()];
      for (const worker of workers) await put(worker);
      await eventually(() => workers.every((worker) => model.get(worker.id)));
      const ids = [...model.iterateFrom(undefined)].map((state) => state.id);
      expect(ids).toEqual([...ids].sort());
      const sorted = workers.map((worker) => worker.id).sort();
      const after = [...model.iterateFrom(sorted[0])].map((state) => state.id);
      expect(after).toContain(sorted[1]);
      expect(after).not.toContain(sorted[0]);
      await remove(sorted[1] as string);
      await eventually(() => model.get(sorted[1] as string) === undefined);
      expect([...model.iterateFrom(undefined)].map((state) => state.id)).not.toContain(sorted[1]);
    });

    it("waitFor resolves when the predicate comes true, undefined on timeout", async () => {
      const { model, put } = await fixture();
      const worker = aWorkerState();
      const waiting = model.waitFor(worker.id, (state) => state.version >= 3, 5_000);
      await put(worker);
      await put({ ...worker, version: 3 });
      expect((await waiting)?.version).toBe(3);
      expect(await model.waitFor(aWorkerState().id, () => true, 20)).toBeUndefined();
    });
  });
}
