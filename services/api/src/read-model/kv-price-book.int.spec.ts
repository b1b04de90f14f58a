import { createTopology } from "@cml-telemetry/contracts";
import { priceKey } from "@cml-telemetry/lifecycle";
import { connectNats, provisionTopology, silentLogger } from "@cml-telemetry/messaging";
import { createLogger } from "@cml-telemetry/observability";
import { startNatsServer, type TestNatsServer, uniquePrefix, waitFor } from "@cml-telemetry/testing";
import { jetstream } from "@nats-io/jetstream";
import { type KV, Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describePriceBookContract } from "../testing/price-book-contract.ts";
import { type KvPriceBook, startKvPriceBook } from "./kv-price-book.ts";

const logger = createLogger({ service: "api", level: "silent" });
let server: TestNatsServer;
let nc: NatsConnection;
let kv: KV;
let book: KvPriceBook;

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connectNats({ url: server.url, name: "kv-price-book", logger: silentLogger });
  const topology = createTopology({ namePrefix: uniquePrefix() });
  await provisionTopology(nc, topology, { logger: silentLogger });
  kv = await new Kvm(jetstream(nc)).open(topology.kv.prices.bucket);
  await kv.put(
    priceKey("us-east-1", "m5zn.metal"),
    JSON.stringify({ hourlyUsd: 3.9641, source: "pricing-api", fetchedAt: "2026-11-25T00:00:00.000Z" }),
  );
  await kv.put(priceKey("us-west-2", "m5zn.metal"), JSON.stringify({ hourlyUsd: -1, source: "guess" }));
  await kv.put(priceKey("eu-west-1", "m5zn.metal"), "{{{");
  book = await startKvPriceBook(kv, logger);
  await book.synced;
});

afterAll(async () => {
  await book?.stop();
  await nc?.drain();
  await server?.stop();
});

describe("KV price book (cml_prices)", () => {
  it("loads the prices present at start, skipping entries that are not prices (their price stays unknown)", () => {
    expect(book.isSynced()).toBe(true);
    expect(book.hourlyUsd("us-east-1", "m5zn.metal")).toBe(3.9641);
    expect(book.hourlyUsd("us-west-2", "m5zn.metal")).toBeNull();
    expect(book.hourlyUsd("eu-west-1", "m5zn.metal")).toBeNull();
  });

  it("forgets a price whose entry is overwritten by something that is not a price", async () => {
    const key = priceKey("us-east-2", "c5.metal");
    await kv.put(
      key,
      JSON.stringify({ hourlyUsd: 4.08, source: "file", fetchedAt: "2026-11-25T00:00:00.000Z" }),
    );
    await waitFor(() => book.hourlyUsd("us-east-2", "c5.metal") === 4.08, { what: "price loaded" });
    await kv.put(key, JSON.stringify({ hourlyUsd: "cheap" }));
    await waitFor(() => book.hourlyUsd("us-east-2", "c5.metal") === null, { what: "bad price dropped" });
  });
});

describePriceBookContract("KV watch (nats-server)", async () => ({
  book,
  put: async (key, entry) => {
    await kv.put(key, JSON.stringify(entry));
  },
  remove: async (key) => {
    await kv.delete(key);
  },
}));
