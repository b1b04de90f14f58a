import { describePriceBookContract } from "../testing/price-book-contract.ts";
import { createPriceCache } from "./price-cache.ts";

describePriceBookContract("in-memory cache (the fake)", async () => {
  const cache = createPriceCache();
  cache.markSynced();
  return {
    book: cache,
    put: async (key, entry) => cache.upsert(key, entry),
    remove: async (key) => cache.remove(key),
  };
});
