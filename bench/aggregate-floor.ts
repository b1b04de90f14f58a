/**
 * The messaging floor of the aggregate bench: the NATS work the aggregate does per input — fetch, decode and ack
 * each telemetry message; one compare-and-set KV write per worker per batch (a record of the size the aggregate
 * wrote, one worker's writes in order); the same number of domain-event publishes with `Nats-Msg-Id`, spread over as
 * many subjects per worker as the aggregate's events used (`cml.worker.<id>.<name>`: the stream keeps state per
 * subject) — with no decision, no state and no serialisation. It tells what one replica could reach on this server if the aggregate's
 * own work cost nothing, i.e. how much of the gap to the raw publish rate is the message pattern itself.
 */
import { subjects, type Topology } from "@cml-telemetry/contracts";
import {
  createAckedPublisher,
  type Delivery,
  silentLogger,
  startConsumeLoop,
  streamConfigOf,
} from "@cml-telemetry/messaging";
import { createWorkerLocks } from "@cml-telemetry/worker-aggregate";
import { jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";

export interface MessagingFloorOptions {
  readonly nc: NatsConnection;
  /** The topology whose telemetry stream holds the burst (read again by a consumer of its own). */
  readonly topology: Topology;
  /** Telemetry messages in the stream, all consumed. */
  readonly inputs: number;
  /** Domain events to publish in all, spread evenly over the inputs. */
  readonly events: number;
  /** Bytes of each KV write and of each event (the aggregate's averages). */
  readonly recordBytes: number;
  readonly eventBytes: number;
  /** Subjects per worker the events go to, in turn (the aggregate's stream subjects ÷ workers; default 1). */
  readonly subjectsPerWorker?: number;
  /** As the aggregate's consume loop (defaults 256 and 4). */
  readonly batchSize?: number;
  readonly concurrency?: number;
  readonly timeLimitMs: number;
}

/** Runs the floor once; resolves with its rate. The KV bucket and stream it writes are its own. */
export async function measureMessagingFloor(
  options: MessagingFloorOptions,
): Promise<{ inputsPerSec: number }> {
  const { nc, topology } = options;
  const jsm = await jetstreamManager(nc);
  const eventsStream = `${topology.streams.workerEvents.name}_FLOOR`;
  const eventSubject = "bench.floor.worker";
  await jsm.streams.add({
    ...streamConfigOf(topology.streams.workerEvents),
    name: eventsStream,
    subjects: [`${eventSubject}.>`],
  });
  const bucket = `${topology.kv.workers.bucket}_floor`;
  await new Kvm(nc).create(bucket, { history: topology.kv.workers.history });
  const publisher = createAckedPublisher(nc);
  const record = Buffer.alloc(options.recordBytes, "r");
  const event = Buffer.alloc(options.eventBytes, "e");
  const revisions = new Map<string, number>();
  const subjectsPerWorker = Math.max(1, options.subjectsPerWorker ?? 1);
  /** Events published per worker so far: the next one goes to subject `<n mod subjectsPerWorker>`. */
  const published = new Map<string, number>();
  /** Each worker's writes in order, with the aggregate's own per-worker locks. */
  const locks = createWorkerLocks();
  const eventsPerInput = options.events / options.inputs;
  let owed = 0;
  let done = 0;

  const writeWorker = async (workerId: string, inputs: number): Promise<void> => {
    const ack = await publisher.publish(`$KV.${bucket}.${workerId}`, record, {
      expectedLastSubjectSequence: revisions.get(workerId) ?? 0,
    });
    revisions.set(workerId, ack.seq);
    owed += inputs * eventsPerInput;
    const count = Math.floor(owed);
    owed -= count;
    const acks: Array<Promise<unknown>> = [];
    const before = published.get(workerId) ?? 0;
    for (let n = 0; n < count; n += 1) {
      const subject = `${eventSubject}.${workerId}.e${(before + n) % subjectsPerWorker}`;
      acks.push(publisher.publish(subject, event, { msgId: `${workerId}:${ack.seq}:${n}` }));
    }
    published.set(workerId, before + count);
    await Promise.all(acks);
  };
  const handle = async (deliveries: readonly Delivery[]): Promise<unknown[]> => {
    const perWorker = new Map<string, number>();
    for (const delivery of deliveries) {
      const workerId = String(delivery.event.subject);
      perWorker.set(workerId, (perWorker.get(workerId) ?? 0) + 1);
    }
    await Promise.all(
      [...perWorker].map(([workerId, inputs]) => locks.run(workerId, () => writeWorker(workerId, inputs))),
    );
    done += deliveries.length;
    return deliveries.map(() => undefined);
  };

  const started = performance.now();
  const loop = await startConsumeLoop({
    nc,
    stream: topology.streams.telemetry.name,
    durable: "bench-messaging-floor",
    filterSubject: subjects.telemetryAll,
    logger: silentLogger,
    batchHandler: handle,
    batchSize: options.batchSize ?? 256,
    concurrency: options.concurrency ?? 4,
  });
  const deadline = Date.now() + options.timeLimitMs;
  while (done < options.inputs && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 20));
  const seconds = (performance.now() - started) / 1000;
  await loop.stop();
  publisher.close();
  if (done < options.inputs) {
    throw new Error(
      `messaging floor: only ${done} of ${options.inputs} inputs within ${options.timeLimitMs / 1000} s`,
    );
  }
  return { inputsPerSec: Math.round(done / seconds) };
}
