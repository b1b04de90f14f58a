/**
 * Worker-aggregate throughput: a bounded burst of telemetry for 10,000 simulated workers is published to a fresh
 * local nats-server, then one in-process aggregate applies all of it (decide, KV compare-and-set with outbox,
 * domain-event publish, outbox clear). Reported as inputs applied per second and as a ratio to the raw JetStream
 * publish rate measured in the same run.
 *
 * Run: npm run bench -- aggregate
 */
import { consumerNames, createTopology } from "@cml-telemetry/contracts";
import { createOpsPublisher, provisionTopology, publishEvent, silentLogger } from "@cml-telemetry/messaging";
import { startNatsServer } from "@cml-telemetry/testing";
import { startWorkerAggregate } from "@cml-telemetry/worker-aggregate";
import { fleetTelemetryRound } from "@cml-telemetry/worker-aggregate/testing";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { measureJetStream } from "./jetstream.ts";
import { isMain, printResult } from "./report.ts";

const WORKERS = 10_000;
/** Rounds of (EC2 status, CloudWatch, CML) observations after the discovery of every worker. */
const ROUNDS = 3;
const TIME_LIMIT_MS = 180_000;

async function publishBurst(url: string, rounds: number): Promise<number> {
  const nc = await connect({ servers: url });
  const js = jetstream(nc);
  let published = 0;
  const inFlight = new Set<Promise<unknown>>();
  for (let round = 0; round <= rounds; round += 1) {
    for (const message of fleetTelemetryRound(WORKERS, round)) {
      while (inFlight.size >= 512) await Promise.race(inFlight);
      const ack = publishEvent(js, message.subject, message.event).finally(() => inFlight.delete(ack));
      inFlight.add(ack);
      published += 1;
    }
  }
  await Promise.all(inFlight);
  await nc.close();
  return published;
}

async function main(): Promise<void> {
  const server = await startNatsServer();
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 100);
  try {
    const raw = await measureJetStream(server.url, { messages: 50_000 });
    process.stderr.write(`raw JetStream publish ${raw.publishPerSec}/s, consume ${raw.consumePerSec}/s\n`);

    const topology = createTopology({ namePrefix: "BENCH_" });
    const nc = await connect({ servers: server.url });
    await provisionTopology(nc, topology, { logger: silentLogger });
    const inputs = await publishBurst(server.url, ROUNDS);
    process.stderr.write(`published ${inputs} telemetry messages for ${WORKERS} workers\n`);

    const jsm = await jetstreamManager(nc);
    const ops = createOpsPublisher({ nc, service: "worker-aggregate", logger: silentLogger });
    let acked = 0;
    const started = performance.now();
    const aggregate = await startWorkerAggregate({
      nc,
      topology,
      logger: silentLogger,
      ops,
      thresholdMinutes: 30,
      idleCheckIntervalSeconds: 0,
      batchSize: Number(process.env.BENCH_BATCH ?? 1000),
      batchMode: process.env.BENCH_MODE === "eager" ? "eager" : "whole-fetch",
      onOutcome: (outcome) => {
        if (outcome === "ack") acked += 1;
      },
    });
    const deadline = Date.now() + TIME_LIMIT_MS;
    while (acked < inputs && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const seconds = (performance.now() - started) / 1000;
    await aggregate.stop();
    const events = (await jsm.streams.info(topology.streams.workerEvents.name)).state.messages;
    const consumer = await jsm.consumers.info(
      topology.streams.telemetry.name,
      consumerNames.aggregateTelemetry,
    );
    if (acked < inputs)
      throw new Error(`only ${acked} of ${inputs} inputs applied within ${TIME_LIMIT_MS / 1000} s`);
    process.stderr.write(
      `applied ${acked} inputs in ${seconds.toFixed(1)} s; ${events} domain events; ${consumer.num_pending} pending\n`,
    );
    await nc.close();
    const eventsPerSec = Math.round(acked / seconds);
    printResult({
      bench: "aggregate",
      eventsPerSec,
      rawPublishPerSec: raw.publishPerSec,
      ratio: Math.round((eventsPerSec / raw.publishPerSec) * 1000) / 1000,
      rssMb: Math.round(peakRss / 1024 / 1024),
    });
  } finally {
    clearInterval(sampler);
    await server.stop();
  }
}

if (isMain(import.meta.url)) await main();
