import { connect } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { startNatsServer } from "./nats-server.ts";

describe("startNatsServer", () => {
  it("starts a JetStream-enabled server on loopback and stops it by PID", async () => {
    const server = await startNatsServer();
    const nc = await connect({ servers: server.url });
    const info = nc.info;
    expect(info?.jetstream).toBe(true);
    await nc.close();
    await server.stop();
    expect(() => process.kill(server.pid, 0)).toThrow();
  });
});
