import { openWorkersKv, provisionTopology, silentLogger } from "@cml-telemetry/messaging";
import { startNatsServer, type TestNatsServer, uniquePrefix, waitFor } from "@cml-telemetry/testing";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publishCollectCommands } from "./publish-collect-commands.ts";
import { createTopology, initialWorkerStateFixture, type Topology } from "./testing/fixtures.ts";
import { createWorkerDirectory } from "./worker-directory.ts";

let server: TestNatsServer;
let nc: NatsConnection;
let topology: Topology;

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connect({ servers: server.url });
  topology = createTopology({ namePrefix: uniquePrefix() });
  await provisionTopology(nc, topology, { logger: silentLogger });
});
afterAll(async () => {
  await nc?.drain();
  await server?.stop();
});

describe("scheduled collect commands", () => {
  it("two replicas publishing the same slot leave exactly one command per worker", async () => {
    const targets = Array.from({ length: 30 }, (_, i) => ({
      workerId: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
      region: i % 2 === 0 ? "us-east-1" : "eu-west-1",
      instanceId: `i-${String(i).padStart(8, "0")}`,
    }));
    const js = jetstream(nc);
    const [a, b] = await Promise.all([
      publishCollectCommands({
        js,
        service: "collector-cml",
        source: "cml",
        targets,
        reason: "schedule",
        slot: 1_764_072_000,
      }),
      publishCollectCommands({
        js,
        service: "collector-cml",
        source: "cml",
        targets,
        reason: "schedule",
        slot: 1_764_072_000,
      }),
    ]);
    expect(a.published + b.published).toBe(60);
    expect(a.duplicates + b.duplicates).toBe(30);
    const jsm = await jetstreamManager(nc);
    expect((await jsm.streams.info(topology.streams.commands.name)).state.messages).toBe(30);
    await publishCollectCommands({
      js,
      service: "collector-cml",
      source: "cml",
      targets,
      reason: "schedule",
      slot: 1_764_072_060,
    });
    expect((await jsm.streams.info(topology.streams.commands.name)).state.messages).toBe(60);
  });
});

describe("worker directory", () => {
  it("loads existing records, then follows updates and deletes", async () => {
    const kv = await openWorkersKv(nc, topology);
    const first = initialWorkerStateFixture("11111111-1111-4111-8111-111111111111");
    await kv.put(first.id, JSON.stringify({ state: first, outbox: [], recentInputIds: [] }));
    const directory = await createWorkerDirectory(kv, silentLogger);
    await directory.ready;
    expect(directory.get(first.id)?.region).toBe("us-east-1");
    const second = {
      ...initialWorkerStateFixture("22222222-2222-4222-8222-222222222222"),
      status: "RUNNING" as const,
    };
    await kv.put(second.id, JSON.stringify({ state: second, outbox: [], recentInputIds: [] }));
    await kv.put("broken", "{not json");
    await waitFor(() => directory.get(second.id)?.status === "RUNNING", { what: "update" });
    await kv.delete(first.id);
    await waitFor(() => directory.get(first.id) === undefined, { what: "delete" });
    expect(directory.size()).toBe(1);
    directory.stop();
  });

  it("is ready at once on an empty bucket", async () => {
    const empty = createTopology({ namePrefix: uniquePrefix() });
    const kv = await new Kvm(nc).create(empty.kv.workers.bucket);
    const directory = await createWorkerDirectory(kv, silentLogger);
    await directory.ready;
    expect(directory.size()).toBe(0);
    directory.stop();
  });
});
