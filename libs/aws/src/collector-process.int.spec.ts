import { startNatsServer, type TestNatsServer } from "@cml-telemetry/testing";
import { jetstreamManager } from "@nats-io/jetstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAwsCollectorProcess } from "./collector-process.ts";

let server: TestNatsServer;

beforeAll(async () => {
  server = await startNatsServer();
});

afterAll(async () => {
  await server?.stop();
});

describe("AWS collector process", () => {
  it("provisions the topology, builds one client per region and stops everything once", async () => {
    const created: Array<{ region: string; retryMode: string; destroyed: boolean }> = [];
    const runtime = await startAwsCollectorProcess({
      service: "collector-cloudwatch",
      config: {
        LOG_LEVEL: "silent",
        METRICS_PORT: 0,
        NATS_URL: server.url,
        TELEMETRY_RETENTION_DAYS: 7,
        CML_REGIONS: ["us-east-1", "eu-west-1"],
      },
      createClient: (options) => {
        const client = {
          region: options.region,
          retryMode: options.retryMode,
          destroyed: false,
          destroy() {
            client.destroyed = true;
          },
        };
        created.push(client);
        return client;
      },
    });
    const { nc, topology, clients } = runtime.collectorOptions;
    expect([...clients.keys()]).toEqual(["us-east-1", "eu-west-1"]);
    expect(created.map((c) => c.retryMode)).toEqual(["adaptive", "adaptive"]);
    const jsm = await jetstreamManager(nc);
    expect((await jsm.streams.info(topology.streams.commands.name)).config.name).toBe(
      topology.streams.commands.name,
    );

    let stops = 0;
    runtime.ready({ stop: async () => void stops++ }, {});
    await Promise.all([runtime.shutdown(), runtime.shutdown()]);
    expect(stops).toBe(1);
    expect(created.every((c) => c.destroyed)).toBe(true);
    expect(nc.isClosed()).toBe(true);
  });
});
