import {
  type DomainEvent,
  domainEventNameOfType,
  type Topology,
  type WorkerRecord,
} from "@cml-telemetry/contracts";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { evolve } from "../decider/evolve.ts";
import { initialState } from "../decider/initial-state.ts";

/** A domain event as read back from CML_WORKER_EVENTS. */
export interface LoggedEvent {
  readonly id: string;
  readonly subject: string;
  readonly seq: number;
  readonly correlationid?: string;
  readonly event: DomainEvent;
}

const decoder = new TextDecoder();

/** Every message of the worker-events stream, in stream order. */
export async function readWorkerEvents(nc: NatsConnection, topology: Topology): Promise<LoggedEvent[]> {
  const stream = topology.streams.workerEvents.name;
  const jsm = await jetstreamManager(nc);
  const { state } = await jsm.streams.info(stream);
  const events: LoggedEvent[] = [];
  if (state.messages === 0) return events;
  const consumer = await jetstream(nc).consumers.get(stream);
  while (events.length < state.messages) {
    const messages = await consumer.fetch({ max_messages: state.messages - events.length, expires: 2_000 });
    let received = 0;
    for await (const msg of messages) {
      received += 1;
      const json = JSON.parse(decoder.decode(msg.data)) as Record<string, unknown> & {
        data: DomainEvent["data"];
      };
      const name = domainEventNameOfType(String(json.type));
      if (name === undefined) throw new Error(`not a domain event: ${String(json.type)}`);
      events.push({
        id: String(json.id),
        subject: msg.subject,
        seq: msg.seq,
        ...(typeof json.correlationid === "string" ? { correlationid: json.correlationid } : {}),
        event: { name, data: json.data } as DomainEvent,
      });
    }
    if (received === 0) throw new Error(`read ${events.length} of ${state.messages} events from ${stream}`);
  }
  return events;
}

/** Every record of the workers bucket by worker id. */
export async function readWorkerRecords(
  nc: NatsConnection,
  topology: Topology,
): Promise<Map<string, WorkerRecord>> {
  const kv = await new Kvm(nc).open(topology.kv.workers.bucket);
  const records = new Map<string, WorkerRecord>();
  for await (const key of await kv.keys()) {
    const entry = await kv.get(key);
    if (entry?.operation === "PUT") records.set(key, JSON.parse(decoder.decode(entry.value)) as WorkerRecord);
  }
  return records;
}

/**
 * Checks the exactly-once invariants between the event log and the KV state, returning every problem found:
 * ids unique and equal to `<workerId>:<version>:<n>`, versions 1..N without gaps with n counting from 0, subjects
 * `cml.worker.<id>.<name>`, every outbox entry in the log (published), and the events folded with `evolve` giving
 * exactly the stored state.
 */
export function checkEventLog(
  events: readonly LoggedEvent[],
  records: ReadonlyMap<string, WorkerRecord>,
): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  const byWorker = new Map<string, LoggedEvent[]>();
  for (const logged of events) {
    if (ids.has(logged.id)) problems.push(`duplicate event id ${logged.id}`);
    ids.add(logged.id);
    const workerEvents = byWorker.get(logged.event.data.workerId) ?? [];
    workerEvents.push(logged);
    byWorker.set(logged.event.data.workerId, workerEvents);
  }
  for (const [workerId, record] of records) {
    for (const entry of record.outbox) {
      if (!ids.has(String(entry.id)))
        problems.push(`${workerId}: outbox entry ${String(entry.id)} not published`);
    }
    if (record.state.version > 0 && !byWorker.has(workerId))
      problems.push(`${workerId}: no events published`);
  }
  for (const [workerId, workerEvents] of byWorker) {
    let version = 0;
    let index = 0;
    for (const logged of workerEvents) {
      const { data, name } = logged.event;
      if (data.version === version) index += 1;
      else if (data.version === version + 1) {
        version += 1;
        index = 0;
      } else problems.push(`${workerId}: version ${data.version} follows ${version}`);
      if (logged.id !== `${workerId}:${data.version}:${index}`)
        problems.push(`${workerId}: unexpected id ${logged.id}`);
      if (logged.subject !== `cml.worker.${workerId}.${name}`)
        problems.push(`${workerId}: subject ${logged.subject}`);
    }
    const record = records.get(workerId);
    if (!record) {
      problems.push(`${workerId}: events but no record`);
      continue;
    }
    const folded = workerEvents.map((logged) => logged.event).reduce(evolve, initialState(workerId));
    const stored = record.state as Record<string, unknown>;
    const differing = Object.entries(folded)
      .filter(([key, value]) => JSON.stringify(value) !== JSON.stringify(stored[key]))
      .map(
        ([key, value]) => `${key} (events: ${JSON.stringify(value)}, stored: ${JSON.stringify(stored[key])})`,
      );
    if (differing.length > 0) {
      problems.push(
        `${workerId}: state folded from events differs from the stored state in ${differing.join(", ")}`,
      );
    }
  }
  return problems;
}
