import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import {
  createEvent,
  createTopology,
  decodeEvent,
  encodeEvent,
  historyQueries,
  parseEventData,
  subjects,
} from "@cml-telemetry/contracts";
import { provisionTopology, publishEvent, silentLogger } from "@cml-telemetry/messaging";
import { startNatsServer, stopProcess, type TestNatsServer, waitFor } from "@cml-telemetry/testing";
import { jetstream } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cloudwatchTelemetry, testWorker } from "./testing/index.ts";

const MAIN = join(import.meta.dirname, "main.ts");
const worker = testWorker(21);
const t0 = new Date(Date.now() - 2 * 3_600_000);
let server: TestNatsServer;
let nc: NatsConnection;
const children: ChildProcess[] = [];

function spawnService(env: Record<string, string>): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH, NATS_URL: server.url, METRICS_PORT: "0", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connect({ servers: server.url });
  await provisionTopology(nc, createTopology(), { logger: silentLogger });
  const js = jetstream(nc);
  for (let i = 0; i < 12; i += 1) {
    const { subject, event } = cloudwatchTelemetry(worker, new Date(t0.getTime() + i * 300_000), {
      cpu: i,
      memory: 30,
    });
    await publishEvent(js, subject, event);
  }
});
afterAll(async () => {
  for (const child of children) await stopProcess(child);
  await nc?.drain();
  await server?.stop();
});

describe("metrics-history process", () => {
  it("replays the stream at start, logs ready, answers queries and exits 0 on SIGTERM", async () => {
    const service = spawnService({});
    await waitFor(() => service.output().includes('"msg":"ready"'), {
      timeoutMs: 20_000,
      what: "the ready log line",
    });
    expect(service.output()).toContain('"msg":"telemetry replay caught up"');
    const request = createEvent(historyQueries.request, {
      source: "api",
      data: {
        workerId: worker.workerId,
        from: t0.toISOString(),
        to: new Date().toISOString(),
        intervalSeconds: 3600,
      },
    });
    const msg = await nc.request(subjects.historyQuery, encodeEvent(request), { timeout: 2_000 });
    const reply = parseEventData(historyQueries.reply, decodeEvent(msg.data));
    if (!reply.ok) throw new Error(reply.error.message);
    expect(reply.buckets?.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(12);
    service.child.kill("SIGTERM");
    expect(await service.exited).toBe(0);
    expect(service.output()).toContain('"msg":"stopped"');
  });

  it("refuses a bad configuration with a message naming the variable and exit code 1", async () => {
    const service = spawnService({ HISTORY_RETENTION_DAYS: "0" });
    expect(await service.exited).toBe(1);
    expect(service.output()).toContain("HISTORY_RETENTION_DAYS");
  });
});
