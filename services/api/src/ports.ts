import type {
  CmlCloudEvent,
  CollectCommand,
  HistoryQueryReply,
  HistoryQueryRequest,
  LifecycleCommand,
  RegisterWorkerCommand,
  Source,
  WorkerState,
} from "@cml-telemetry/contracts";

/** Cancels a subscription or a listener. */
export type Unsubscribe = () => void;

/**
 * The API's local view of KV `cml_workers`, kept current by a watch. Reads never go to NATS.
 * Workers are listed in stable order by id.
 */
export interface WorkerReadModel {
  /** True once the initial values of the bucket are loaded. */
  isSynced(): boolean;
  /** The worker, or undefined when unknown. */
  get(id: string): WorkerState | undefined;
  /** Number of workers held. */
  size(): number;
  /** Workers with id greater than `afterId` (all when undefined), in id order. */
  iterateFrom(afterId: string | undefined): Iterable<WorkerState>;
  /** Every worker (any order). */
  all(): Iterable<WorkerState>;
  /**
   * Resolves with the worker once `predicate` holds for it, or undefined after `timeoutMs`.
   * Resolves at once when it already holds.
   */
  waitFor(
    id: string,
    predicate: (state: WorkerState) => boolean,
    timeoutMs: number,
  ): Promise<WorkerState | undefined>;
}

/** Publishes commands to JetStream (`CML_COMMANDS`). */
export interface CommandPublisher {
  /** `cml.cmd.collect.<source>.<workerId>` with the correlation id. */
  collect(source: Source, command: CollectCommand, correlationId: string): Promise<void>;
  /** `cml.cmd.worker.register.<workerId>`. */
  register(command: RegisterWorkerCommand, correlationId: string): Promise<void>;
  /**
   * `cml.cmd.lifecycle.<action>.<workerId>` with `Nats-Msg-Id` (and CloudEvent id)
   * `lifecycle:<workerId>:<action>:<requestId>`, so a repeated request is stored once.
   */
  lifecycle(command: LifecycleCommand, correlationId: string): Promise<void>;
}

/**
 * The API's local view of KV `cml_prices` (on-demand hourly prices written by worker-lifecycle), kept current by a
 * watch. No entry means unknown: the API shows null, never a guess.
 */
export interface PriceBook {
  /** True once the initial values of the bucket are loaded. */
  isSynced(): boolean;
  /** USD per hour of `instanceType` in `region`, or null when unknown (or the type is not known yet). */
  hourlyUsd(region: string, instanceType: string | null): number | null;
}

/** Thrown when no history service answered (no responders, timeout, connection down). */
export class HistoryUnavailableError extends Error {
  override readonly name = "HistoryUnavailableError";
  readonly code = "HISTORY_UNAVAILABLE";
}

/** Asks metrics-history over NATS request/reply (`cml.svc.history.query`). */
export interface HistoryClient {
  /** @throws HistoryUnavailableError when nobody answered in time. */
  query(request: HistoryQueryRequest): Promise<HistoryQueryReply>;
}

/** A domain event as read from `CML_WORKER_EVENTS`, with its stream sequence. */
export interface FeedEvent {
  /** Stream sequence (the SSE `id`). */
  readonly seq: number;
  readonly subject: string;
  readonly workerId: string;
  /** Domain event name, e.g. `status_changed`. */
  readonly name: string;
  readonly event: CmlCloudEvent<unknown>;
  /** The CloudEvent as JSON text, serialised once for every client. */
  readonly json: string;
}

/** One page of a worker's domain events, newest first. */
export interface WorkerEventsPage {
  readonly items: readonly FeedEvent[];
  /** Sequence to pass as `beforeSeq` for the next (older) page; null when there is none. */
  readonly nextBeforeSeq: number | null;
}

/** Filter of live and replayed events. */
export interface FeedFilter {
  readonly workerId?: string | undefined;
  readonly types?: ReadonlySet<string> | undefined;
}

/**
 * Domain events of `CML_WORKER_EVENTS`: one shared live subscription fanned out to listeners,
 * replay from a sequence for resuming clients, and per-worker reads.
 */
export interface EventFeed {
  /** Adds a listener of the shared live feed (events stored after the feed started). */
  subscribe(listener: (event: FeedEvent) => void): Unsubscribe;
  /**
   * Events with sequence greater than `afterSeq` that are already stored, in order, matching `filter`.
   * Stops at the last sequence stored when the replay began.
   */
  replay(afterSeq: number, filter: FeedFilter): AsyncIterable<FeedEvent>;
  /**
   * Subscribes to a worker's domain events as they are published (no sequence needed); resolves once the
   * subscription is registered with the server, so a command published afterwards cannot outrun it.
   */
  watchWorker(workerId: string, listener: (event: CmlCloudEvent<unknown>) => void): Promise<Unsubscribe>;
  /** A worker's stored events, newest first, older than `beforeSeq` when given. */
  workerEvents(
    workerId: string,
    options: { limit: number; beforeSeq?: number | undefined },
  ): Promise<WorkerEventsPage>;
  /**
   * The sequences the stream holds now: `firstSeq` (greater than `lastSeq` when it holds none) and `lastSeq`
   * (0 for a stream that never held an event, e.g. one just recreated).
   */
  bounds(): Promise<StreamBounds>;
}

/** The first and last sequence a stream holds. */
export interface StreamBounds {
  readonly firstSeq: number;
  readonly lastSeq: number;
}

/** The last refresh of a worker, as every API replica sees it. */
export interface RefreshRecord {
  /** Correlation id of the refresh (the `request_id` callers get). */
  readonly requestId: string;
  readonly sources: readonly Source[];
  /** When it started, epoch ms. */
  readonly startedAt: number;
  /** Until when it counts as in flight (later refreshes join it), epoch ms. */
  readonly inFlightUntil: number;
  /** When every source reported or the in-flight window ran out, epoch ms; null while in flight. */
  readonly finishedAt: number | null;
  /** Highest aggregate version among the events it caused, once every source reported; else null. */
  readonly version: number | null;
}

/** A stored {@link RefreshRecord} and its revision (for compare-and-set). */
export interface RefreshEntry {
  readonly record: RefreshRecord;
  readonly revision: number;
}

/**
 * The last refresh of each worker, shared by API replicas (KV `cml_api_refreshes`): compare-and-set writes, so two
 * replicas asked at once start one refresh, and a watch, so a replica can follow a refresh another one started.
 */
export interface RefreshLedger {
  read(workerId: string): Promise<RefreshEntry | undefined>;
  /**
   * Stores `record` when the worker's entry is still at `expectedRevision` (0: none yet).
   * @returns the new revision, or undefined when another writer came first.
   */
  write(workerId: string, record: RefreshRecord, expectedRevision: number): Promise<number | undefined>;
  /** Removes the entry when it is still at `expectedRevision` (a refresh whose commands could not be published). */
  remove(workerId: string, expectedRevision: number): Promise<void>;
  /** Calls `listener` with the current entry, then with every change, until unsubscribed. */
  watch(workerId: string, listener: (entry: RefreshEntry | undefined) => void): Promise<Unsubscribe>;
}

/** Connection lifecycle ops events (`cml.ops.api.connection`); never throws, never blocks. */
export interface ConnectionOps {
  established(connectionId: string, transport: "sse" | "websocket"): void;
  closed(connectionId: string, transport: "sse" | "websocket", durationSeconds: number, reason: string): void;
}
