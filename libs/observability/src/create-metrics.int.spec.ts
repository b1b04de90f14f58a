import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createHealth } from "./create-health.ts";
import { createMetrics, type Metrics } from "./create-metrics.ts";

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

const open: Metrics[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((metrics) => metrics.close()));
});

describe("createMetrics", () => {
  it("serves a counter on /metrics after it is incremented", async () => {
    const metrics = await createMetrics({
      service: "collector-cml",
      port: await freePort(),
      host: "127.0.0.1",
    });
    open.push(metrics);
    const counter = metrics.meter.createCounter("cml_requests", { description: "CML requests" });
    counter.add(2, { endpoint: "labs" });
    counter.add(1, { endpoint: "labs" });
    const response = await fetch(`http://127.0.0.1:${metrics.port}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    const body = await response.text();
    expect(body).toContain("# HELP cml_requests_total CML requests");
    expect(body).toMatch(/cml_requests_total\{endpoint="labs"[^}]*\} 3/);
    expect(body).toContain('service_name="collector-cml"');
  });

  it("serves /healthz and a /readyz that follows the health checks", async () => {
    const health = createHealth(["nats"]);
    const metrics = await createMetrics({
      service: "api",
      port: await freePort(),
      host: "127.0.0.1",
      health,
    });
    open.push(metrics);
    const base = `http://127.0.0.1:${metrics.port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const notReady = await fetch(`${base}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({ ready: false, checks: { nats: { ready: false } } });
    health.set("nats", true);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: "POST" })).status).toBe(405);
  });

  it("port 0 disables the server but the meter still records", async () => {
    const metrics = await createMetrics({ service: "worker-aggregate", port: 0 });
    open.push(metrics);
    expect(metrics.port).toBe(0);
    metrics.meter.createUpDownCounter("workers").add(4);
    expect(await metrics.scrape()).toMatch(/^workers\{[^}]*\} 4$/m);
  });

  it("fails clearly when the port is taken", async () => {
    const first = await createMetrics({ service: "a", port: await freePort(), host: "127.0.0.1" });
    open.push(first);
    await expect(createMetrics({ service: "b", port: first.port, host: "127.0.0.1" })).rejects.toThrow(
      /EADDRINUSE/,
    );
  });
});
