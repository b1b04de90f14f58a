import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { consumerNames, createTopology, subjects } from "@cml-telemetry/contracts";
import {
  ensureDurableConsumer,
  provisionTopology,
  publishEvent,
  silentLogger,
} from "@cml-telemetry/messaging";
import { startNatsServer, type TestNatsServer, waitFor } from "@cml-telemetry/testing";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkEventLog, readWorkerEvents, readWorkerRecords } from "./testing/event-log.ts";
import { fleetTelemetry, fleetWorkerId } from "./testing/fleet-telemetry.ts";
import { at } from "./testing/worker-fixtures.ts";

const MAIN = join(import.meta.dirname, "main.ts");
const topology = createTopology();
let server: TestNatsServer;
let nc: NatsConnection;
const children: ChildProcess[] = [];

interface ServiceProcess {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the service as its own process (Node 24, env only) and waits for its `ready` log line. */
async function spawnService(): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH, NATS_URL: server.url, METRICS_PORT: "0", LOG_LEVEL: "info" },
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
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  await waitFor(() => output.split("\n").some((line) => line.includes('"msg":"ready"')), {
    timeoutMs: 20_000,
    what: `the service to log ready:\n${output}`,
  });
  return { child, output: () => output, exited };
}

async function eventCount(): Promise<number> {
  const jsm = await jetstreamManager(nc);
  return (await jsm.streams.info(topology.streams.workerEvents.name)).state.messages;
}

async function consumerState() {
  const jsm = await jetstreamManager(nc);
  return await jsm.consumers.info(topology.streams.telemetry.name, consumerNames.aggregateTelemetry);
}

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connect({ servers: server.url });
  await provisionTopology(nc, topology, { logger: silentLogger });
  // A short ack wait so messages a killed process held are redelivered within the test.
  const jsm = await jetstreamManager(nc);
  await ensureDurableConsumer(jsm, {
    stream: topology.streams.telemetry.name,
    durable: consumerNames.aggregateTelemetry,
    filterSubject: subjects.telemetryAll,
    ackWaitMs: 2_000,
    logger: silentLogger,
  });
});
afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await nc?.drain();
  await server?.stop();
});

describe("worker-aggregate process", () => {
  it("loses and duplicates nothing when SIGKILLed at random moments under load, and stops cleanly on SIGTERM", async () => {
    const workers = 300;
    const rounds = 8;
    const js = jetstream(nc);
    const messages = fleetTelemetry(workers, rounds);
    for (let start = 0; start < messages.length; start += 500) {
      await Promise.all(
        messages.slice(start, start + 500).map((message) => publishEvent(js, message.subject, message.event)),
      );
    }

    for (let kill = 0; kill < Number(process.env.E2E_KILLS ?? 2); kill += 1) {
      const service = await spawnService();
      const before = await eventCount();
      await waitFor(async () => (await eventCount()) > before, {
        timeoutMs: 20_000,
        what: "events to flow",
      }).catch((error: unknown) => {
        throw new Error(`${(error as Error).message}; service output:\n${service.output().slice(-3000)}`);
      });
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 250)));
      service.child.kill("SIGKILL");
      expect((await service.exited).signal).toBe("SIGKILL");
      const state = await consumerState();
      console.info(
        `killed run ${kill + 1}: ${state.num_pending} pending, ${state.num_ack_pending} unacknowledged`,
      );
    }
    const t0 = Date.now();

    const last = await spawnService();
    await waitFor(
      async () => {
        const state = await consumerState();
        return state.num_pending === 0 && state.num_ack_pending === 0;
      },
      // Redeliveries of what the killed processes held come back paced by nats-server (ack wait, nak delays): the
      // restarted process needs tens of seconds here, most of it waiting for them.
      { timeoutMs: 120_000, what: "all telemetry to be applied" },
    ).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}; service output:\n${last.output().slice(-3000)}`);
    });
    console.info(`final run applied the rest in ${Date.now() - t0} ms`);
    const recovered = /"recovered":(\d+)/.exec(last.output())?.[1] ?? "0";
    console.info(`the restarted process found ${recovered} outboxes left by the kills`);
    last.child.kill("SIGTERM");
    expect(await last.exited).toEqual({ code: 0, signal: null });
    expect(last.output()).toContain('"msg":"stopped"');

    const events = await readWorkerEvents(nc, topology);
    const records = await readWorkerRecords(nc, topology);
    expect(records.size).toBe(workers);
    expect(checkEventLog(events, records)).toEqual([]);
    const registered = new Set(
      events.filter((logged) => logged.event.name === "registered").map((logged) => logged.id),
    );
    expect(registered.size).toBe(workers);
    for (let n = 0; n < workers; n += 1) {
      const state = records.get(fleetWorkerId(n))?.state;
      expect(state?.ec2Metrics.lastObservedAt).toBe(at(rounds));
      expect(state?.cloudwatchMetrics.lastObservedAt).toBe(at(rounds));
      expect(state?.cmlMetrics.lastObservedAt).toBe(at(rounds));
    }
  }, 200_000);
});
