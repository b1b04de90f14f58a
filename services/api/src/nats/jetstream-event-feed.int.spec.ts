import { createTopology } from "@cml-telemetry/contracts";
import { connectNats, provisionTopology, silentLogger } from "@cml-telemetry/messaging";
import { createLogger } from "@cml-telemetry/observability";
import { startNatsServer, type TestNatsServer, uniquePrefix } from "@cml-telemetry/testing";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll } from "vitest";
import { describeEventFeedContract } from "../testing/event-feed-contract.ts";
import { publishDomainEvent } from "../testing/publish-domain-event.ts";
import { type JetStreamEventFeed, startJetStreamEventFeed } from "./jetstream-event-feed.ts";

let server: TestNatsServer;
let nc: NatsConnection;
let feed: JetStreamEventFeed;
let streamName: string;

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connectNats({ url: server.url, name: "feed-contract", logger: silentLogger });
  const topology = createTopology({ namePrefix: uniquePrefix() });
  streamName = topology.streams.workerEvents.name;
  await provisionTopology(nc, topology, { logger: silentLogger });
  feed = await startJetStreamEventFeed({
    nc,
    js: jetstream(nc),
    jsm: await jetstreamManager(nc),
    stream: topology.streams.workerEvents.name,
    logger: createLogger({ service: "api", level: "silent" }),
  });
});

afterAll(async () => {
  await feed?.stop();
  await nc?.drain();
  await server?.stop();
});

describeEventFeedContract("JetStream (nats-server)", async () => ({
  feed,
  append: (name, data, correlationId) => publishDomainEvent(jetstream(nc), name, data, correlationId),
  dropBefore: async (seq) => {
    await (await jetstreamManager(nc)).streams.purge(streamName, { seq });
  },
}));
