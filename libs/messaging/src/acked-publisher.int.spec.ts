import { startNatsServer, type TestNatsServer, uniquePrefix } from "@cml-telemetry/testing";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAckedPublisher, StreamPublishError, WRONG_LAST_SEQUENCE } from "./acked-publisher.ts";

let server: TestNatsServer;
let nc: NatsConnection;
const data = new TextEncoder().encode('{"hello":"world"}');

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connect({ servers: server.url, noAsyncTraces: true });
});
afterAll(async () => {
  await nc?.drain();
  await server?.stop();
});

async function aStream(): Promise<{ stream: string; subject: string }> {
  const stream = `${uniquePrefix()}ACKED`;
  const subject = `acked.${stream.toLowerCase()}`;
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: stream, subjects: [`${subject}.>`], duplicate_window: 60 * 1e9 });
  return { stream, subject };
}

describe("acked publisher (real nats-server)", () => {
  it("resolves with the stream sequence and reports repeats of a message id as duplicates", async () => {
    const { stream, subject } = await aStream();
    const publisher = createAckedPublisher(nc);
    const acks = await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        publisher.publish(`${subject}.a`, data, { msgId: `m-${index}` }),
      ),
    );
    expect(acks.map((ack) => ack.seq)).toEqual(Array.from({ length: 50 }, (_, index) => index + 1));
    expect(acks.every((ack) => ack.stream === stream && !ack.duplicate)).toBe(true);
    const repeat = await publisher.publish(`${subject}.a`, data, { msgId: "m-7" });
    expect(repeat).toMatchObject({ seq: 8, duplicate: true });
    expect(publisher.pending()).toBe(0);
    const jsm = await jetstreamManager(nc);
    const stored = await jsm.streams.getMessage(stream, { seq: 8 });
    expect(stored?.header?.get("Nats-Msg-Id")).toBe("m-7");
    publisher.close();
  });

  it("stores a message without headers as one, and refuses a message id holding a line break", async () => {
    const { stream, subject } = await aStream();
    const publisher = createAckedPublisher(nc);
    const ack = await publisher.publish(`${subject}.plain`, data);
    const jsm = await jetstreamManager(nc);
    const stored = await jsm.streams.getMessage(stream, { seq: ack.seq });
    expect(stored?.header?.keys() ?? []).toEqual([]);
    expect(stored?.json()).toEqual({ hello: "world" });
    await expect(
      publisher.publish(`${subject}.plain`, data, { msgId: "a\r\nNats-Expected-Stream: x" }),
    ).rejects.toMatchObject({
      code: 400,
    });
    expect(publisher.pending()).toBe(0);
    publisher.close();
  });

  it("checks the expected last subject sequence like a KV compare-and-set", async () => {
    const { subject } = await aStream();
    const publisher = createAckedPublisher(nc);
    const first = await publisher.publish(`${subject}.key`, data, { expectedLastSubjectSequence: 0 });
    const second = await publisher.publish(`${subject}.key`, data, {
      expectedLastSubjectSequence: first.seq,
    });
    expect(second.seq).toBe(first.seq + 1);
    const stale = publisher.publish(`${subject}.key`, data, { expectedLastSubjectSequence: first.seq });
    await expect(stale).rejects.toBeInstanceOf(StreamPublishError);
    await expect(stale).rejects.toMatchObject({ code: WRONG_LAST_SEQUENCE });
    publisher.close();
  });

  it("fails with 503 when no stream takes the subject, and with 408 when nothing answers in time", async () => {
    const publisher = createAckedPublisher(nc, { timeoutMs: 200, sweepMs: 50 });
    await expect(publisher.publish("acked.nobody.listens", data)).rejects.toMatchObject({ code: 503 });
    const silent = nc.subscribe("acked.silent");
    await expect(publisher.publish("acked.silent", data)).rejects.toMatchObject({ code: 408 });
    silent.unsubscribe();
    expect(publisher.pending()).toBe(0);
    publisher.close();
    await expect(publisher.publish("acked.silent", data)).rejects.toMatchObject({ code: 503 });
  });
});
