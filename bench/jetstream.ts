/**
 * Raw JetStream baseline: publish with msg-id dedupe (async window) and pull consume + ack of ~400-byte
 * CloudEvents on a fresh local server. Every other benchmark reports its throughput as a ratio to this,
 * measured in the same run.
 *
 * Run: npm run bench -- jetstream
 */
import { randomUUID } from "node:crypto";
import { createEvent, encodeEvent, telemetry, workerIdOf } from "@cml-telemetry/contracts";
import { startNatsServer } from "@cml-telemetry/testing";
import { AckPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { isMain, printResult } from "./report.ts";

export interface JetStreamBaseline {
  readonly publishPerSec: number;
  readonly consumePerSec: number;
  readonly messages: number;
  readonly payloadBytes: number;
}

/** A realistic ~400-byte telemetry CloudEvent. */
export function samplePayload(index: number): Uint8Array {
  const instanceId = `i-${(0x10000000 + index).toString(16)}`;
  const workerId = workerIdOf("us-east-1", instanceId);
  return encodeEvent(
    createEvent(telemetry.ec2Status, {
      source: "collector-ec2",
      subject: workerId,
      data: {
        workerId,
        region: "us-east-1",
        instanceId,
        instanceState: "running",
        instanceStatus: "ok",
        systemStatus: "ok",
        observedAt: "2026-11-25T12:00:00.000Z",
      },
    }),
  );
}

/**
 * Measures raw publish (msg-id, async window) and pull consume + ack on `url`, in a temporary stream that is
 * deleted afterwards. Bounded by `messages` and `timeLimitMs`.
 */
export async function measureJetStream(
  url: string,
  options: { messages?: number; window?: number; batch?: number; timeLimitMs?: number } = {},
): Promise<JetStreamBaseline> {
  const total = options.messages ?? 50_000;
  const window = options.window ?? 512;
  const batch = options.batch ?? 256;
  const deadline = Date.now() + (options.timeLimitMs ?? 60_000);
  // As the services connect (libs/messaging connectNats): no async stack traces on the request path.
  const nc = await connect({ servers: url, noAsyncTraces: true });
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const tag = randomUUID().slice(0, 8);
  const stream = `BENCH_RAW_${tag}`;
  const subject = `bench.raw.${tag}`;
  await jsm.streams.add({ name: stream, subjects: [`${subject}.>`], duplicate_window: 120 * 1e9 });
  try {
    const payloads = Array.from({ length: 64 }, (_, i) => samplePayload(i));
    const inFlight = new Set<Promise<unknown>>();
    const publishStart = performance.now();
    let published = 0;
    for (; published < total && Date.now() < deadline; published += 1) {
      while (inFlight.size >= window) await Promise.race(inFlight);
      const ack = js.publish(`${subject}.${published % 1000}`, payloads[published % 64] as Uint8Array, {
        msgID: `${tag}-${published}`,
      });
      const entry = ack.finally(() => inFlight.delete(entry));
      inFlight.add(entry);
    }
    await Promise.all(inFlight);
    const publishSeconds = (performance.now() - publishStart) / 1000;

    await jsm.consumers.add(stream, {
      durable_name: "bench",
      ack_policy: AckPolicy.Explicit,
      max_ack_pending: 20_000,
    });
    const consumer = await js.consumers.get(stream, "bench");
    const consumeStart = performance.now();
    let consumed = 0;
    while (consumed < published && Date.now() < deadline) {
      const messages = await consumer.fetch({ max_messages: batch, expires: 1_000 });
      for await (const message of messages) {
        JSON.parse(new TextDecoder().decode(message.data));
        message.ack();
        consumed += 1;
      }
    }
    await nc.flush();
    const consumeSeconds = (performance.now() - consumeStart) / 1000;
    return {
      publishPerSec: Math.round(published / publishSeconds),
      consumePerSec: Math.round(consumed / consumeSeconds),
      messages: published,
      payloadBytes: (payloads[0] as Uint8Array).byteLength,
    };
  } finally {
    await jsm.streams.delete(stream).catch(() => undefined);
    await nc.close();
  }
}

if (isMain(import.meta.url)) {
  const server = await startNatsServer();
  try {
    const result = await measureJetStream(server.url);
    process.stderr.write(`raw JetStream: ${result.messages} messages of ${result.payloadBytes} bytes\n`);
    printResult({
      bench: "jetstream",
      publishPerSec: result.publishPerSec,
      consumePerSec: result.consumePerSec,
      payloadBytes: result.payloadBytes,
    });
  } finally {
    await server.stop();
  }
}
