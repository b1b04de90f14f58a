import type { CmlClient } from "@cml-telemetry/cml-client";
import { silentLogger } from "@cml-telemetry/messaging";
import { describe, expect, it } from "vitest";
import { createCmlClientCache } from "./cml-client-cache.ts";

function fakeClientFactory() {
  const created: Array<{ endpoint: string; closed: boolean }> = [];
  const createClient = (endpoint: string): CmlClient => {
    const record = { endpoint, closed: false };
    created.push(record);
    const unused = () => Promise.reject(new Error("not used in this test"));
    return {
      apiBase: `${endpoint}/api/v0`,
      getSystemInformation: unused,
      authenticate: unused,
      listLabIds: unused,
      getLab: unused,
      getLabState: unused,
      getLabSummaries: unused,
      labReadPath: () => undefined,
      getLicensing: unused,
      getSystemStats: unused,
      close: async () => {
        record.closed = true;
      },
    };
  };
  return { created, createClient };
}

describe("createCmlClientCache", () => {
  it("keeps one client per worker across calls while the endpoint stays the same", () => {
    const { created, createClient } = fakeClientFactory();
    const cache = createCmlClientCache({ createClient, logger: silentLogger });
    const first = cache.clientFor("w1", "https://10.0.0.1");
    expect(cache.clientFor("w1", "https://10.0.0.1")).toBe(first);
    cache.clientFor("w2", "https://10.0.0.2");
    expect(created.map((entry) => entry.endpoint)).toEqual(["https://10.0.0.1", "https://10.0.0.2"]);
    expect(cache.size()).toBe(2);
  });

  it("closes and replaces the client when the worker's endpoint changes", () => {
    const { created, createClient } = fakeClientFactory();
    const evicted: string[] = [];
    const cache = createCmlClientCache({
      createClient,
      logger: silentLogger,
      onEvict: (id) => evicted.push(id),
    });
    const first = cache.clientFor("w1", "https://10.0.0.1");
    const second = cache.clientFor("w1", "https://10.0.0.9");
    expect(second).not.toBe(first);
    expect(created[0]?.closed).toBe(true);
    expect(evicted).toEqual(["w1"]);
    expect(cache.size()).toBe(1);
  });

  it("evicts the workers a predicate selects and closes everything on closeAll", async () => {
    const { created, createClient } = fakeClientFactory();
    const evicted: string[] = [];
    const cache = createCmlClientCache({
      createClient,
      logger: silentLogger,
      onEvict: (id) => evicted.push(id),
    });
    cache.clientFor("w1", "https://10.0.0.1");
    cache.clientFor("w2", "https://10.0.0.2");
    expect(cache.evictWhere((workerId) => workerId === "w1")).toBe(1);
    expect(evicted).toEqual(["w1"]);
    expect(created.map((entry) => entry.closed)).toEqual([true, false]);
    await cache.closeAll();
    expect(created.map((entry) => entry.closed)).toEqual([true, true]);
    expect(cache.size()).toBe(0);
  });
});
