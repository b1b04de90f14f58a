import { createTopology, type Topology } from "@cml-telemetry/contracts";
import { startNatsServer, type TestNatsServer, uniquePrefix } from "@cml-telemetry/testing";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { silentLogger } from "../logger.ts";
import { provisionTopology } from "../provision.ts";
import { removeTopology } from "./reset-topology.ts";

/** What {@link useNatsTopology} provides to the tests of a file. */
export interface NatsTopologyFixture {
  readonly server: TestNatsServer;
  readonly nc: NatsConnection;
  /** The topology of the running test (a unique name prefix), provisioned before it and removed after it. */
  readonly topology: Topology;
}

/**
 * Registers the hooks of an integration test file: one nats-server and connection for the file, and the contract's
 * topology (with a unique name prefix, changed by `adjust` when a test needs other stream settings) provisioned
 * before each test and removed after it (after the file's own after-hooks, which run first). Call it at the top
 * level of a test file: it registers vitest hooks.
 */
export function useNatsTopology(adjust: (topology: Topology) => Topology = (t) => t): NatsTopologyFixture {
  let server: TestNatsServer | undefined;
  let nc: NatsConnection | undefined;
  let topology: Topology | undefined;
  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
  });
  afterAll(async () => {
    await nc?.drain();
    await server?.stop();
  });
  beforeEach(async () => {
    topology = adjust(createTopology({ namePrefix: uniquePrefix() }));
    await provisionTopology(nc as NatsConnection, topology, { logger: silentLogger });
  });
  afterEach(async () => {
    // Subjects are fixed by the contract, so each test removes its streams before the next provisions its own.
    if (topology) await removeTopology(nc as NatsConnection, topology);
  });
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is only there inside a test`);
    return value;
  };
  return {
    get server() {
      return started(server, "the nats-server");
    },
    get nc() {
      return started(nc, "the connection");
    },
    get topology() {
      return started(topology, "the topology");
    },
  };
}
