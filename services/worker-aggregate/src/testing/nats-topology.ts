import { createTopology, type Topology } from "@cml-telemetry/contracts";
import { provisionTopology, silentLogger } from "@cml-telemetry/messaging";
import { removeTopology } from "@cml-telemetry/messaging/testing";
import { startNatsServer, type TestNatsServer, uniquePrefix } from "@cml-telemetry/testing";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";

/** What {@link useNatsTopology} provides to the tests of a file. */
export interface NatsTopologyFixture {
  readonly server: TestNatsServer;
  readonly nc: NatsConnection;
  /** The topology of the running test (a unique name prefix), provisioned before it and removed after it. */
  readonly topology: Topology;
}

/**
 * Registers the hooks of an integration test file: one nats-server and connection for the file, and the contract's
 * topology provisioned before each test and removed after it (after the file's own after-hooks, which run first).
 * Test files only (it registers vitest hooks), so it is not exported from the testing index.
 */
export function useNatsTopology(): NatsTopologyFixture {
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
    topology = createTopology({ namePrefix: uniquePrefix() });
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
