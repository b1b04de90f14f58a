/**
 * metrics-history ingest and query: a bounded fleet history (up to 500 workers × 3 sources × 7 days at 5-minute
 * resolution ≈ 3.0 M telemetry messages) is published to a fresh local nats-server; then a metrics-history instance
 * with the embedded store starts and rebuilds its store by replaying the stream through its real consumer (decode,
 * validate, map, batched `addSamples`). Reported: replay throughput and its ratio to raw JetStream consume measured
 * in the same run, store bytes per sample, and the time to answer one worker's 7 days bucketed to 1 h over NATS.
 *
 * Workers are published in groups, each with its full 7 days, until the publish budget is used: on a slow machine
 * the run covers fewer workers (every one of them with 7 days), and `workers` / `scale` in the result say so.
 *
 * Run: npm run bench -- history
 */
import { randomUUID } from "node:crypto";
import {
  createEvent,
  createTopology,
  decodeEvent,
  encodeEvent,
  historyQueries,
  parseEventData,
  subjects,
  telemetry,
  workerIdOf,
} from "@cml-telemetry/contracts";
import { createEmbeddedStore } from "@cml-telemetry/history-store";
import { createOpsPublisher, provisionTopology, silentLogger } from "@cml-telemetry/messaging";
import { startDurableTelemetryIngest, startMetricsHistory } from "@cml-telemetry/metrics-history";
import { startNatsServer } from "@cml-telemetry/testing";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, headers, type NatsConnection } from "@nats-io/transport-node";
import { MeterProvider } from "@opentelemetry/sdk-metrics";
import { measureJetStream } from "./jetstream.ts";
import { isMain, printResult } from "./report.ts";

const FULL_WORKERS = 500;
const WORKERS_PER_GROUP = 25;
const DAYS = 7;
const STEP_MS = 5 * 60_000;
const SLOTS = (DAYS * 86_400_000) / STEP_MS;
const SOURCES_PER_SLOT = 3;
const FULL_MESSAGES = FULL_WORKERS * SLOTS * SOURCES_PER_SLOT;
/** Wall-clock budgets: publishing stops adding worker groups after this; the whole run stays under 3 min. */
const PUBLISH_BUDGET_MS = 45_000;
const REPLAY_LIMIT_MS = 90_000;
const RAW_MESSAGES = 50_000;
const QUERY_RUNS = 7;
/** How long the acknowledged durable-consumer path (the MongoDB deployment's) is measured on the same stream. */
const DURABLE_WINDOW_MS = 10_000;
const encoder = new TextEncoder();

interface BenchWorker {
  readonly workerId: string;
  readonly region: string;
  readonly instanceId: string;
}

function benchWorker(n: number): BenchWorker {
  const instanceId = `i-${(0x20000000 + n).toString(16).padStart(17, "0")}`;
  return { workerId: workerIdOf("us-east-1", instanceId), region: "us-east-1", instanceId };
}

/** Structured-mode CloudEvent bytes, shaped exactly as `createEvent` builds them (checked once per type below). */
function envelope(type: string, service: string, worker: BenchWorker, at: string, data: object): Uint8Array {
  return encoder.encode(
    JSON.stringify({
      specversion: "1.0",
      id: randomUUID(),
      source: `/cml-telemetry/${service}`,
      type,
      time: at,
      datacontenttype: "application/json",
      data,
      subject: worker.workerId,
    }),
  );
}

/** The three observations (EC2 status, CloudWatch, CML) of one worker in one 5-minute slot. */
function slotMessages(
  worker: BenchWorker,
  n: number,
  slot: number,
  startMs: number,
): Array<[string, Uint8Array]> {
  const at = new Date(startMs + slot * STEP_MS).toISOString();
  const wave = (offset: number): number =>
    Math.round((50 + 40 * Math.sin((slot + n * 7 + offset) / 24)) * 10) / 10;
  return [
    [
      subjects.telemetry("ec2", worker.workerId),
      envelope(telemetry.ec2Status.type, "collector-ec2", worker, at, {
        ...worker,
        instanceState: "running",
        instanceStatus: "ok",
        systemStatus: "ok",
        observedAt: at,
      }),
    ],
    [
      subjects.telemetry("cloudwatch", worker.workerId),
      envelope(telemetry.cloudwatchMetrics.type, "collector-cloudwatch", worker, at, {
        ...worker,
        cpuUtilization: wave(0),
        memoryUtilization: wave(5),
        periodSeconds: 300,
        datapointAt: at,
        memoryDatapointAt: at,
        stale: false,
        detailedMonitoring: false,
        observedAt: at,
      }),
    ],
    [
      subjects.telemetry("cml", worker.workerId),
      envelope(telemetry.cmlMetrics.type, "collector-cml", worker, at, {
        ...worker,
        ready: true,
        version: "2.9.1+build.7",
        uptimeSeconds: null,
        labsCount: 4,
        runningLabsCount: slot % 3,
        licenseStatus: "REGISTERED",
        cpuPercent: wave(11),
        memoryUsedPercent: wave(17),
        diskUsedPercent: 40,
        runningNodes: 8,
        systemInfo: { ready: true, version: "2.9.1+build.7" },
        observedAt: at,
      }),
    ],
  ];
}

/** Fails fast if the hand-built messages drift from the contract. */
function checkAgainstContract(messages: Array<[string, Uint8Array]>): void {
  for (const [, bytes] of messages) {
    const event = decodeEvent(bytes);
    const definition = Object.values(telemetry).find((candidate) => candidate.type === event.type);
    if (!definition) throw new Error(`bench message has unknown type ${event.type}`);
    definition.schema.parse(event.data);
  }
}

/** Publishes worker groups (each with its full 7 days, in time order) until done or the budget is used. */
async function publishFleet(
  nc: NatsConnection,
  startMs: number,
): Promise<{ workers: number; messages: number }> {
  const deadline = Date.now() + PUBLISH_BUDGET_MS;
  let workers = 0;
  let messages = 0;
  while (workers < FULL_WORKERS && Date.now() < deadline) {
    const group = Array.from({ length: WORKERS_PER_GROUP }, (_, i) => workers + i);
    for (let slot = 0; slot < SLOTS; slot += 1) {
      for (const n of group) {
        for (const [subject, payload] of slotMessages(benchWorker(n), n, slot, startMs)) {
          const h = headers();
          h.set("Nats-Msg-Id", `${n}:${slot}:${subject.split(".")[2]}`);
          nc.publish(subject, payload, { headers: h });
          messages += 1;
        }
      }
      // Bounded in-flight data: wait for the server every few thousand messages.
      if (slot % 32 === 31) await nc.flush();
    }
    await nc.flush();
    workers += WORKERS_PER_GROUP;
  }
  return { workers, messages };
}

async function queryWeek(
  nc: NatsConnection,
  workerId: string,
  fromMs: number,
): Promise<{ ms: number; buckets: number }> {
  const request = createEvent(historyQueries.request, {
    source: "api",
    subject: workerId,
    data: {
      workerId,
      from: new Date(fromMs).toISOString(),
      to: new Date(fromMs + DAYS * 86_400_000).toISOString(),
      intervalSeconds: 3600,
    },
  });
  const started = performance.now();
  const msg = await nc.request(subjects.historyQuery, encodeEvent(request), { timeout: 5_000 });
  const reply = parseEventData(historyQueries.reply, decodeEvent(msg.data));
  const ms = performance.now() - started;
  if (!reply.ok) throw new Error(`history query failed: ${reply.error.type}: ${reply.error.message}`);
  return { ms, buckets: reply.buckets?.length ?? 0 };
}

/**
 * Throughput of the shared durable consumer (ack after each batch write), the path MongoDB deployments use, into a
 * fresh embedded store for a bounded window: the replay above reads without acks, this reads like the baseline.
 */
async function measureDurableIngest(nc: NatsConnection, stream: string): Promise<number> {
  const store = createEmbeddedStore({ retentionDays: 30 });
  const durable = "bench-history-durable";
  const started = performance.now();
  const ingest = await startDurableTelemetryIngest({
    nc,
    stream,
    durable,
    filterSubject: subjects.telemetryAll,
    store,
    logger: silentLogger,
  });
  await new Promise((resolve) => setTimeout(resolve, DURABLE_WINDOW_MS));
  const handled = ingest.progress().handled;
  const seconds = (performance.now() - started) / 1000;
  await ingest.stop();
  await store.close();
  await (await jetstreamManager(nc)).consumers.delete(stream, durable);
  return Math.round(handled / seconds);
}

async function main(): Promise<void> {
  const server = await startNatsServer();
  try {
    const raw = await measureJetStream(server.url, { messages: RAW_MESSAGES });
    process.stderr.write(`raw JetStream: publish ${raw.publishPerSec}/s, consume ${raw.consumePerSec}/s\n`);

    const nc = await connect({ servers: server.url, maxPingOut: 20, noAsyncTraces: true });
    const topology = createTopology({ namePrefix: "BENCH_" });
    await provisionTopology(nc, topology, { logger: silentLogger, streams: ["telemetry", "ops"] });
    const startMs = Math.floor((Date.now() - DAYS * 86_400_000) / 3_600_000) * 3_600_000;
    checkAgainstContract(slotMessages(benchWorker(0), 0, 0, startMs));
    const publishStarted = performance.now();
    const published = await publishFleet(nc, startMs);
    const publishSeconds = (performance.now() - publishStarted) / 1000;
    const jsm = await jetstreamManager(nc);
    const streamed = (await jsm.streams.info(topology.streams.telemetry.name)).state.messages;
    process.stderr.write(
      `published ${published.messages} messages (${published.workers} workers × ${SOURCES_PER_SLOT} sources × ${DAYS} days) in ${publishSeconds.toFixed(1)} s; stream holds ${streamed}\n`,
    );

    const store = createEmbeddedStore({ retentionDays: 30 });
    const ops = createOpsPublisher({ nc, service: "metrics-history", logger: silentLogger });
    const meterProvider = new MeterProvider();
    const replayStarted = performance.now();
    const service = await startMetricsHistory({
      nc,
      topology,
      store,
      storeKind: "embedded",
      logger: silentLogger,
      meter: meterProvider.getMeter("bench"),
      ops,
      retentionCheckSeconds: 3600,
    });
    let replayTimer: NodeJS.Timeout | undefined;
    await Promise.race([
      service.serving,
      new Promise((_, reject) => {
        replayTimer = setTimeout(
          () => reject(new Error(`replay did not finish within ${REPLAY_LIMIT_MS} ms`)),
          REPLAY_LIMIT_MS,
        );
      }),
    ]).finally(() => clearTimeout(replayTimer));
    const replaySeconds = (performance.now() - replayStarted) / 1000;
    const stats = await store.stats();
    const ingestPerSec = Math.round(service.progress().handled / replaySeconds);
    process.stderr.write(
      `replayed ${service.progress().handled} messages into ${stats.samples} samples in ${replaySeconds.toFixed(1)} s (${ingestPerSec}/s), ${stats.bytes} bytes\n`,
    );

    const workerId = benchWorker(Math.floor(published.workers / 2)).workerId;
    const timings: number[] = [];
    let buckets = 0;
    await queryWeek(nc, workerId, startMs);
    for (let run = 0; run < QUERY_RUNS; run += 1) {
      const result = await queryWeek(nc, workerId, startMs);
      timings.push(result.ms);
      buckets = result.buckets;
    }
    timings.sort((a, b) => a - b);
    const query7dMs = Math.round((timings[Math.floor(timings.length / 2)] as number) * 10) / 10;
    process.stderr.write(
      `7-day hourly query of one worker: ${buckets} buckets, median ${query7dMs} ms (min ${timings[0]?.toFixed(1)}, max ${timings.at(-1)?.toFixed(1)}) over ${QUERY_RUNS} runs\n`,
    );

    await service.stop();
    const durableIngestPerSec = await measureDurableIngest(nc, topology.streams.telemetry.name);
    process.stderr.write(`shared durable consumer (acked) ingest: ${durableIngestPerSec}/s\n`);
    await ops.flush();
    await meterProvider.shutdown();
    await store.close();
    await nc.drain();
    printResult({
      bench: "history",
      samples: stats.samples,
      ingestPerSec,
      rawConsumePerSec: raw.consumePerSec,
      ratio: Math.round((ingestPerSec / raw.consumePerSec) * 100) / 100,
      // The embedded store's own estimate of the memory it holds (typed arrays and their overhead), not a measured RSS.
      bytesPerSample:
        stats.bytes === null ? null : Math.round((stats.bytes / Math.max(1, stats.samples)) * 10) / 10,
      query7dMs,
      workers: published.workers,
      days: DAYS,
      messages: published.messages,
      scale: Math.round((published.messages / FULL_MESSAGES) * 1000) / 1000,
      replaySeconds: Math.round(replaySeconds * 10) / 10,
      durableIngestPerSec,
      durableRatio: Math.round((durableIngestPerSec / raw.consumePerSec) * 100) / 100,
      queryBuckets: buckets,
    });
  } finally {
    await server.stop();
  }
}

if (isMain(import.meta.url)) {
  await main();
}
