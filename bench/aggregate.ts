/**
 * Worker-aggregate throughput: a bounded burst of telemetry for 10,000 simulated workers is published to a fresh
 * local nats-server, then one in-process aggregate applies all of it (decide, KV compare-and-set with outbox,
 * domain-event publish). The burst is interleaved as the collectors' schedules put telemetry on the stream: each
 * source sweeps the fleet in its collector's batches at its own phase, so a fetched batch holds about one input per
 * worker (`interleavedFleetTelemetryRound`), as real traffic does, not one worker's three observations in a row.
 *
 * The last line: `inputsPerSec` (inputs applied per second), `rawPublishPerSec` (raw JetStream publish in the same
 * run) and their `ratio`; `floorRatio`, the aggregate's rate over its messaging floor measured in the same run (the
 * same consume/ack, KV writes and event publishes without the aggregate's own work, bench/aggregate-floor.ts);
 * `inputsPerWrite`, inputs applied per KV write of a worker record (how much the batching saved); `rssMb`, the peak
 * RSS of the process running the aggregate (the baseline and the burst run in a child process). Also printed
 * (stderr): CPU per input of the aggregate's main thread, its whole process and nats-server, how long a restarted
 * instance takes to be ready over the 10,000 records, and the ratio DESIGN §10 names, to raw publish+consume: the
 * rate at which raw JetStream moves a message through a publish and a consume + ack,
 * 1 / (1 / publish rate + 1 / consume rate).
 *
 * Run: npm run bench -- aggregate
 * (BENCH_CACHE=<n> record cache size, 0 disables it; BENCH_BATCH=<n> messages per fetch; BENCH_CONCURRENCY=<n>
 * batches in flight; BENCH_WORKERS=<n> fleet size, default 10,000)
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { consumerNames, createTopology } from "@cml-telemetry/contracts";
import { serviceNodeFlags } from "@cml-telemetry/launcher";
import {
  connectNats,
  createOpsPublisher,
  provisionTopology,
  publishEvent,
  silentLogger,
} from "@cml-telemetry/messaging";
import { applyHeapTuning } from "@cml-telemetry/service-runtime";
import { startNatsServer } from "@cml-telemetry/testing";
import { startWorkerAggregate } from "@cml-telemetry/worker-aggregate";
import { interleavedFleetTelemetryRound } from "@cml-telemetry/worker-aggregate/testing";
import { type JetStreamManager, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { measureMessagingFloor } from "./aggregate-floor.ts";
import { measureJetStream } from "./jetstream.ts";
import { isMain, printResult } from "./report.ts";

const WORKERS = Number(process.env.BENCH_WORKERS ?? 10_000);
/** Rounds of (EC2 status, CloudWatch, CML) observations after the discovery of every worker. */
const ROUNDS = 3;
const TIME_LIMIT_MS = 180_000;
const PREFIX = "BENCH_";

/** CPU seconds (user + system) a process used so far, from /proc on Linux (100 ticks/s); undefined elsewhere. */
function processCpuSeconds(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** Average payload size of up to 200 messages spread over a stream (records or events as the aggregate wrote them). */
async function averagePayloadBytes(jsm: JetStreamManager, stream: string): Promise<number> {
  const { first_seq: first, last_seq: last } = (await jsm.streams.info(stream)).state;
  const step = Math.max(1, Math.floor((last - first) / 200));
  let bytes = 0;
  let count = 0;
  for (let seq = first; seq <= last && count < 200; seq += step) {
    const message = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
    if (!message) continue;
    bytes += message.data.length;
    count += 1;
  }
  return count === 0 ? 0 : Math.round(bytes / count);
}

/** Milliseconds from starting an instance to its being ready, over the records now in KV. */
async function measureRestart(start: () => Promise<{ stop(): Promise<void> }>): Promise<{ ms: number }> {
  const started = performance.now();
  const instance = await start();
  const ms = Math.round(performance.now() - started);
  await instance.stop();
  return { ms };
}

async function publishBurst(url: string, rounds: number): Promise<number> {
  const nc = await connect({ servers: url });
  const js = jetstream(nc);
  let published = 0;
  const inFlight = new Set<Promise<unknown>>();
  for (let round = 0; round <= rounds; round += 1) {
    for (const message of interleavedFleetTelemetryRound(WORKERS, round)) {
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

/** Load phase, in a child process so its memory does not count against the aggregate: baseline + burst. */
async function loadPhase(url: string): Promise<void> {
  // Best of two runs: the first also warms the server and the client, so the baseline is what JetStream can do.
  const runs = [
    await measureJetStream(url, { messages: 50_000 }),
    await measureJetStream(url, { messages: 50_000 }),
  ];
  const raw = runs.reduce((best, run) => (run.publishPerSec > best.publishPerSec ? run : best));
  process.stderr.write(`raw JetStream publish ${raw.publishPerSec}/s, consume ${raw.consumePerSec}/s\n`);
  const nc = await connect({ servers: url });
  await provisionTopology(nc, createTopology({ namePrefix: PREFIX }), { logger: silentLogger });
  await nc.close();
  const inputs = await publishBurst(url, ROUNDS);
  process.stderr.write(`published ${inputs} telemetry messages for ${WORKERS} workers\n`);
  process.stdout.write(
    `${JSON.stringify({ rawPublishPerSec: raw.publishPerSec, rawConsumePerSec: raw.consumePerSec, inputs })}\n`,
  );
}

interface LoadPhaseResult {
  readonly rawPublishPerSec: number;
  readonly rawConsumePerSec: number;
  readonly inputs: number;
}

async function runLoadPhase(url: string): Promise<LoadPhaseResult> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), "--load", url], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let stdout = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`load phase failed with exit code ${code}`);
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as LoadPhaseResult;
}

/** The aggregate runs as the service does: with its node flags (re-running this file with them) and heap tuning. */
async function withServiceNodeFlags(): Promise<boolean> {
  const flags = serviceNodeFlags("worker-aggregate").filter((flag) => !process.execArgv.includes(flag));
  if (flags.length === 0) return false;
  const child = spawn(process.execPath, [...process.execArgv, ...flags, fileURLToPath(import.meta.url)], {
    stdio: "inherit",
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  process.exitCode = code ?? 1;
  return true;
}

async function main(): Promise<void> {
  if (await withServiceNodeFlags()) return;
  applyHeapTuning();
  const server = await startNatsServer();
  try {
    const { rawPublishPerSec, rawConsumePerSec, inputs } = await runLoadPhase(server.url);
    const topology = createTopology({ namePrefix: PREFIX });
    // Connected exactly as the service's main.ts connects (no async stack traces on the request path).
    const nc = await connectNats({ url: server.url, name: "bench-aggregate", logger: silentLogger });
    const jsm = await jetstreamManager(nc);
    const ops = createOpsPublisher({ nc, service: "worker-aggregate", logger: silentLogger });
    let peakRss = process.memoryUsage.rss();
    let peakHeapMb = 0;
    // RSS alone is cheap to read; the heap only at a new peak.
    const sampler = setInterval(() => {
      const rss = process.memoryUsage.rss();
      if (rss <= peakRss) return;
      peakRss = rss;
      peakHeapMb = Math.round(process.memoryUsage().heapTotal / 1048576);
    }, 50);
    const cpuAtStart = process.threadCpuUsage();
    const processCpuAtStart = process.cpuUsage();
    const serverCpuAtStart = processCpuSeconds(server.pid);
    let acked = 0;
    let firstSettledMs: number | undefined;
    const started = performance.now();
    const aggregate = await startWorkerAggregate({
      nc,
      topology,
      logger: silentLogger,
      ops,
      thresholdMinutes: 30,
      idleCheckIntervalSeconds: 0,
      ...(process.env.BENCH_CACHE ? { recordCacheSize: Number(process.env.BENCH_CACHE) } : {}),
      ...(process.env.BENCH_BATCH ? { batchSize: Number(process.env.BENCH_BATCH) } : {}),
      ...(process.env.BENCH_CONCURRENCY ? { concurrency: Number(process.env.BENCH_CONCURRENCY) } : {}),
      onOutcome: (outcome) => {
        firstSettledMs ??= Math.round(performance.now() - started);
        if (outcome === "ack") acked += 1;
      },
    });
    const deadline = Date.now() + TIME_LIMIT_MS;
    while (acked < inputs && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.threadCpuUsage(cpuAtStart);
    const processCpu = process.cpuUsage(processCpuAtStart);
    const serverCpuAtEnd = processCpuSeconds(server.pid);
    clearInterval(sampler);
    await aggregate.stop();
    // Every KV write of a worker record so far was the aggregate's (the restart below empties outboxes: more writes).
    const recordWrites = (await jsm.streams.info(`KV_${topology.kv.workers.bucket}`)).state.last_seq;
    let scan: object = {};
    const restart = await measureRestart(() =>
      startWorkerAggregate({
        nc,
        topology,
        logger: {
          ...silentLogger,
          info: (fields, message) => {
            if (message?.includes("outbox")) scan = fields;
          },
        },
        ops,
        thresholdMinutes: 30,
        idleCheckIntervalSeconds: 0,
      }),
    );
    const eventsState = (await jsm.streams.info(topology.streams.workerEvents.name)).state;
    const events = eventsState.messages;
    const consumer = await jsm.consumers.info(
      topology.streams.telemetry.name,
      consumerNames.aggregateTelemetry,
    );
    if (acked < inputs)
      throw new Error(`only ${acked} of ${inputs} inputs applied within ${TIME_LIMIT_MS / 1000} s`);
    const subjectsPerWorker = Math.max(1, Math.round((eventsState.num_subjects ?? WORKERS) / WORKERS));
    const floorCpuAtStart = processCpuSeconds(server.pid);
    const floorProcessCpuAtStart = process.cpuUsage();
    const floor = await measureMessagingFloor({
      nc,
      topology,
      inputs,
      events,
      recordBytes: await averagePayloadBytes(jsm, `KV_${topology.kv.workers.bucket}`),
      eventBytes: await averagePayloadBytes(jsm, topology.streams.workerEvents.name),
      subjectsPerWorker,
      timeLimitMs: TIME_LIMIT_MS,
    });
    const floorCpuAtEnd = processCpuSeconds(server.pid);
    const floorProcessCpu = process.cpuUsage(floorProcessCpuAtStart);
    await nc.close();
    const perInput = (seconds: number) => `${Math.round((seconds * 1e6) / acked)} µs`;
    const serverPerInput = (start: number | undefined, end: number | undefined) =>
      start !== undefined && end !== undefined ? `, nats-server ${perInput(end - start)}` : "";
    process.stderr.write(
      `CPU per input: main thread ${perInput((cpu.user + cpu.system) / 1e6)}, aggregate process ${perInput((processCpu.user + processCpu.system) / 1e6)}` +
        serverPerInput(serverCpuAtStart, serverCpuAtEnd) +
        `; start-up (to the first settled input) ${firstSettledMs} ms\n`,
    );
    process.stderr.write(
      `restart: a new instance was ready in ${restart.ms} ms (start-up scan ${JSON.stringify(scan)})\n`,
    );
    process.stderr.write(
      `applied ${acked} inputs in ${seconds.toFixed(1)} s (main thread busy ${(((cpu.user + cpu.system) / 1e6 / seconds) * 100).toFixed(0)}%); ${events} domain events; ${consumer.num_pending} pending; V8 heap ${peakHeapMb} MB at peak RSS\n`,
    );
    const inputsPerSec = Math.round(acked / seconds);
    const floorRatio = inputsPerSec / floor.inputsPerSec;
    process.stderr.write(
      `messaging floor (the same consume/ack, KV writes and event publishes on ${subjectsPerWorker} subjects per worker, without the aggregate's own work): ${floor.inputsPerSec} inputs/s, ratio ${(floor.inputsPerSec / rawPublishPerSec).toFixed(3)}; CPU per input: client process ${perInput((floorProcessCpu.user + floorProcessCpu.system) / 1e6)}` +
        serverPerInput(floorCpuAtStart, floorCpuAtEnd) +
        `; the aggregate reached ${Math.round(floorRatio * 100)}% of it\n`,
    );
    process.stderr.write(
      `${recordWrites} record writes: ${(acked / recordWrites).toFixed(2)} inputs per write\n`,
    );
    const rawPublishConsumePerSec = Math.round(1 / (1 / rawPublishPerSec + 1 / rawConsumePerSec));
    process.stderr.write(
      `raw publish+consume (DESIGN §10): ${rawPublishConsumePerSec} messages/s through a publish and a consume + ack; the aggregate applied ${(inputsPerSec / rawPublishConsumePerSec).toFixed(3)} × that (the line below compares with raw publish alone)\n`,
    );
    const microsPerInput = (seconds: number | undefined) =>
      seconds === undefined ? null : Math.round((seconds * 1e6) / acked);
    const serverSeconds = (start: number | undefined, end: number | undefined) =>
      start !== undefined && end !== undefined ? end - start : undefined;
    printResult({
      bench: "aggregate-detail",
      domainEvents: events,
      aggregateCpuMicrosPerInput: microsPerInput((processCpu.user + processCpu.system) / 1e6),
      natsServerCpuMicrosPerInput: microsPerInput(serverSeconds(serverCpuAtStart, serverCpuAtEnd)),
      restartMs: restart.ms,
      floorInputsPerSec: floor.inputsPerSec,
      floorToRawPublishRatio: Math.round((floor.inputsPerSec / rawPublishPerSec) * 1000) / 1000,
    });
    printResult({
      bench: "aggregate",
      inputsPerSec,
      rawPublishPerSec,
      ratio: Math.round((inputsPerSec / rawPublishPerSec) * 1000) / 1000,
      floorRatio: Math.round(floorRatio * 1000) / 1000,
      inputsPerWrite: Math.round((acked / recordWrites) * 100) / 100,
      rssMb: Math.round(peakRss / 1024 / 1024),
    });
  } finally {
    await server.stop();
  }
}

if (process.argv[2] === "--load") await loadPhase(process.argv[3] ?? "");
else if (isMain(import.meta.url)) await main();
