import { createTopology } from "@cml-telemetry/contracts";
import { connectNats, provisionTopology, silentLogger } from "@cml-telemetry/messaging";
import { createLogger } from "@cml-telemetry/observability";
import { startNatsServer, type TestNatsServer, uniquePrefix } from "@cml-telemetry/testing";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll } from "vitest";
import type { RefreshLedger } from "../ports.ts";
import { describeRefreshLedgerContract } from "../testing/refresh-ledger-contract.ts";
import { openKvRefreshLedger } from "./kv-refresh-ledger.ts";

let server: TestNatsServer;
let nc: NatsConnection;
let ledger: RefreshLedger;

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connectNats({ url: server.url, name: "refresh-ledger-contract", logger: silentLogger });
  const topology = createTopology({ namePrefix: uniquePrefix() });
  await provisionTopology(nc, topology, { logger: silentLogger });
  ledger = await openKvRefreshLedger(nc, topology, createLogger({ service: "api", level: "silent" }));
});

afterAll(async () => {
  await nc?.drain();
  await server?.stop();
});

describeRefreshLedgerContract("KV cml_api_refreshes (nats-server)", async () => ledger);
