import { type ChildProcess, spawn } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createTopology, decodeEvent, telemetry, workerIdOf } from "@cml-telemetry/contracts";
import { type CmlServerPool, createCmlServerPool } from "@cml-telemetry/fleet-sim";
import { openWorkersKv, provisionTopology, silentLogger } from "@cml-telemetry/messaging";
import { initialWorkerStateFixture } from "@cml-telemetry/scheduling/testing";
import { freePort, startNatsServer, stopProcess, type TestNatsServer, waitFor } from "@cml-telemetry/testing";
import { jetstream } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const serviceDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const PASSWORD = "e2e-cml-password";

let server: TestNatsServer;
let nc: NatsConnection;
let pool: CmlServerPool;

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connect({ servers: server.url });
  // Self-signed certificates made for a name, not the address dialled: only a pin can trust them.
  pool = await createCmlServerPool({
    username: "admin",
    password: PASSWORD,
    certificateHost: "cml-controller.e2e.example",
  });
});
afterAll(async () => {
  await pool?.close();
  await nc?.drain();
  await server?.stop();
});

function startService(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ["src/main.ts"], {
    cwd: serviceDir,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  return { child, output: () => output };
}

const exitCodeOf = (child: ChildProcess): Promise<number | null> =>
  new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once("exit", (code) => resolve(code));
  });

describe("collector-cml as a process", () => {
  it("collects a RUNNING worker on start (pinning its certificate on first use), serves health and metrics, and stops cleanly on SIGTERM", async () => {
    const topology = createTopology();
    await provisionTopology(nc, topology, { logger: silentLogger });
    const kv = await openWorkersKv(nc, topology);
    const instanceId = "i-0e2e0000000000001";
    const workerId = workerIdOf("us-east-1", instanceId);
    const { endpoint } = await pool.add(workerId);
    const state = {
      ...initialWorkerStateFixture(workerId),
      instanceId,
      status: "RUNNING",
      httpsEndpoint: endpoint,
    };
    await kv.put(workerId, JSON.stringify({ state, outbox: [], recentInputIds: [] }));
    const received: string[] = [];
    const subscription = nc.subscribe(`cml.telemetry.cml.${workerId}`);
    void (async () => {
      for await (const message of subscription) received.push(decodeEvent(message.data).type);
    })();

    const metricsPort = await freePort();
    const service = startService({
      NATS_URL: server.url,
      METRICS_PORT: String(metricsPort),
      CML_USERNAME: "admin",
      CML_PASSWORD: PASSWORD,
      CML_TLS_PIN: "tofu",
      COLLECT_INTERVAL_CML_SECONDS: "60",
      LOG_LEVEL: "debug",
    });
    try {
      await waitFor(() => service.output().includes('"msg":"ready"'), {
        what: "ready log line",
        timeoutMs: 20_000,
      });
      await waitFor(() => received.includes(telemetry.cmlMetrics.type), {
        what: "scheduled CML metrics",
        timeoutMs: 15_000,
      });
      const readyz = await fetch(`http://127.0.0.1:${metricsPort}/readyz`);
      expect(readyz.status).toBe(200);
      const metricsText = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      expect(metricsText).toMatch(
        /cml_client_calls_total\{[^}]*endpoint="labs\/\{id\}\/state"[^}]*outcome="ok"/,
      );
      const pins = await new Kvm(jetstream(nc)).open(topology.kv.tlsPins.bucket);
      const pin = (await pins.get(workerId))?.json() as { fingerprint?: string } | undefined;
      const served = new X509Certificate(pool.certificatePem(workerId)).fingerprint256;
      expect(pin?.fingerprint).toBe(served.replaceAll(":", "").toLowerCase());

      service.child.kill("SIGTERM");
      expect(await exitCodeOf(service.child)).toBe(0);
      expect(service.output()).toContain('"msg":"stopped"');
      expect(service.output()).not.toContain(PASSWORD);
    } finally {
      subscription.unsubscribe();
      if (service.child.exitCode === null) await stopProcess(service.child);
    }
  });

  it("exits 1 with a clear message on an invalid setting", async () => {
    const service = startService({ NATS_URL: server.url, CML_CONCURRENCY: "0" });
    expect(await exitCodeOf(service.child)).toBe(1);
    expect(service.output()).toContain("CML_CONCURRENCY");
  });
});
