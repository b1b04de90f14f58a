import { describeWorkerReadModelContract } from "../testing/worker-read-model-contract.ts";
import { createWorkerCache } from "./worker-cache.ts";

describeWorkerReadModelContract("in-memory cache", async () => {
  const cache = createWorkerCache();
  cache.markSynced();
  return {
    model: cache,
    put: async (state) => cache.upsert(state),
    remove: async (id) => cache.remove(id),
  };
});
