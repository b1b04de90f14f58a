import { startNatsServer, type TestNatsServer } from "@cml-telemetry/testing";
import { jetstreamManager } from "@nats-io/jetstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServiceRuntime } from "./start-service-runtime.ts";

let server: TestNatsServer;

beforeAll(async () => {
  server = await startNatsServer();
});
afterAll(async () => {
  await server?.stop();
});

describe("startServiceRuntime (real nats-server)", () => {
  it("connects, provisions the topology, serves readiness, and closes everything it opened", async () => {
    const runtime = await startServiceRuntime({
      service: "collector-cml",
      config: {
        LOG_LEVEL: "silent",
        METRICS_PORT: 0,
        NATS_URL: server.url,
        TELEMETRY_RETENTION_DAYS: 3,
      },
      checks: ["collector"],
    });
    expect(runtime.health.report()).toMatchObject({
      ready: false,
      checks: { nats: { ready: true }, collector: { ready: false } },
    });
    runtime.health.set("collector", true);
    expect(runtime.health.isReady()).toBe(true);
    const jsm = await jetstreamManager(runtime.nc);
    const telemetry = await jsm.streams.info(runtime.topology.streams.telemetry.name);
    expect(telemetry.config.max_age).toBe(3 * 86_400 * 1e9);
    runtime.ops.jobStarted({ jobId: "j1", jobName: "collect-cml" });
    await runtime.close();
    expect(runtime.nc.isClosed()).toBe(true);
  });
});
