import {
  type CmlCloudEvent,
  correlationIdOf,
  DOMAIN_EVENT_NAMES,
  type DomainEventName,
  domainEvents,
  type Source,
  type WorkerState,
} from "@cml-telemetry/contracts";
import type { Logger } from "pino";
import type { CommandPublisher, EventFeed, RefreshLedger, RefreshRecord } from "../ports.ts";
import { within } from "./within.ts";
import { applicableSources } from "./worker-rules.ts";

/** A refresh was asked sooner than the minimum interval after the last one of the same worker started. */
export class RefreshTooSoonError extends Error {
  override readonly name = "RefreshTooSoonError";
  readonly code = "REFRESH_TOO_SOON";
  readonly retryAfterSeconds: number;

  constructor(workerId: string, minIntervalSeconds: number, retryAfterSeconds: number) {
    super(
      `worker ${workerId} was refreshed less than ${minIntervalSeconds} s ago (REFRESH_MIN_INTERVAL_SECONDS); try again in ${retryAfterSeconds} s`,
    );
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The ledger kept changing under every attempt to start a refresh (many replicas asked at once). */
export class RefreshClaimError extends Error {
  override readonly name = "RefreshClaimError";
  readonly code = "REFRESH_CLAIM";
}

/** A refresh started by, or joined by, a request. */
export interface RefreshHandle {
  readonly requestId: string;
  readonly sources: readonly Source[];
  /** True when the request joined a refresh that was already in flight. */
  readonly joined: boolean;
  /**
   * Resolves when every source reported (`*_metrics_updated`) or failed (`source_failed`) for this refresh, with
   * the highest aggregate version seen; undefined after `timeoutMs`, or when the in-flight window ran out first.
   */
  completion(timeoutMs: number): Promise<{ version: number } | undefined>;
}

/**
 * Starts refreshes: one in flight per worker across API replicas (a later request joins it) and at most one
 * start per minimum interval, kept in the shared {@link RefreshLedger}.
 */
export interface RefreshCoordinator {
  /**
   * Starts a refresh of `worker` with `requestId` as its correlation id, or joins the one in flight.
   * @throws RefreshTooSoonError within the minimum interval after the last refresh started.
   */
  start(worker: WorkerState, requestId: string): Promise<RefreshHandle>;
  /** Ends every tracked refresh and follow (shutdown). */
  close(): void;
}

const UPDATED_SUFFIX = "_metrics_updated";

const NAME_BY_TYPE = new Map<string, DomainEventName>(
  DOMAIN_EVENT_NAMES.map((name) => [domainEvents[name].type, name]),
);

/** The source an event of this refresh reports on, if it reports on one. */
function reportedSource(event: CmlCloudEvent<unknown>): Source | undefined {
  // Looked up by exact type: `domainEventNameOfType` does not match names with digits (ec2_metrics_updated).
  const name = NAME_BY_TYPE.get(event.type);
  if (name === undefined) return undefined;
  if (name.endsWith(UPDATED_SUFFIX)) return name.slice(0, -UPDATED_SUFFIX.length) as Source;
  if (name === "source_failed") {
    const source = (event.data as { source?: unknown } | undefined)?.source;
    return source === "ec2" || source === "cloudwatch" || source === "cml" ? source : undefined;
  }
  return undefined;
}

function versionOf(event: CmlCloudEvent<unknown>): number {
  const version = (event.data as { version?: unknown } | undefined)?.version;
  return typeof version === "number" ? version : 0;
}

type Completion = { version: number } | undefined;

const CLAIM_ATTEMPTS = 5;

/**
 * Publishes the collect commands of a refresh after subscribing to the worker's domain events (so no answer can be
 * missed) and tracks which sources answered; records each refresh in the ledger, so a request on any replica joins
 * the one in flight and the minimum interval holds across replicas.
 */
export function createRefreshCoordinator(options: {
  feed: EventFeed;
  commands: CommandPublisher;
  ledger: RefreshLedger;
  logger: Logger;
  /** How long a refresh counts as in flight at most. */
  inFlightMs: number;
  /** Minimum time between the starts of two refreshes of one worker. */
  minIntervalMs: number;
  now?: () => number;
}): RefreshCoordinator {
  const { feed, commands, ledger, logger, inFlightMs, minIntervalMs } = options;
  const now = options.now ?? Date.now;
  /** Refreshes this process started, by request id. */
  const running = new Map<string, { completion: Promise<Completion>; stop: () => void }>();
  /** Follows of refreshes another replica started (ended on shutdown). */
  const following = new Set<() => void>();

  async function launch(
    worker: WorkerState,
    record: RefreshRecord,
    revision: number,
  ): Promise<RefreshHandle> {
    const { requestId, sources } = record;
    const pending = new Set<Source>(sources);
    let highestVersion = 0;
    let settle: (result: Completion) => void = () => {};
    const completion = new Promise<Completion>((resolve) => {
      settle = resolve;
    });
    let unsubscribe: (() => void) | undefined;
    let done = false;
    const finish = (result: Completion, recordEnd: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      unsubscribe?.();
      running.delete(requestId);
      settle(result);
      if (!recordEnd) return;
      // Other replicas stop joining it, and those following it learn the version to wait for.
      const ended = { ...record, finishedAt: now(), version: result?.version ?? null };
      ledger.write(worker.id, ended, revision).catch((error: unknown) => {
        logger.warn(
          { err: error, workerId: worker.id, correlationId: requestId },
          "could not record the end of a refresh",
        );
      });
    };
    const timer = setTimeout(() => finish(undefined, true), inFlightMs);
    running.set(requestId, { completion, stop: () => finish(undefined, false) });
    try {
      unsubscribe = await feed.watchWorker(worker.id, (event) => {
        if (correlationIdOf(event) !== requestId) return;
        highestVersion = Math.max(highestVersion, versionOf(event));
        const source = reportedSource(event);
        if (source !== undefined) pending.delete(source);
        if (pending.size === 0) finish({ version: highestVersion }, true);
      });
      if (done) unsubscribe();
      const base = {
        workerId: worker.id,
        region: worker.region,
        instanceId: worker.instanceId,
        reason: "refresh" as const,
      };
      await Promise.all(
        sources.map((source) =>
          commands.collect(
            source,
            worker.httpsEndpoint === null ? base : { ...base, httpsEndpoint: worker.httpsEndpoint },
            requestId,
          ),
        ),
      );
    } catch (error) {
      finish(undefined, false);
      await ledger.remove(worker.id, revision).catch((removeError: unknown) => {
        logger.warn(
          { err: removeError, workerId: worker.id },
          "could not release a refresh that failed to start",
        );
      });
      throw error;
    }
    logger.info({ workerId: worker.id, correlationId: requestId, sources }, "refresh requested");
    return { requestId, sources, joined: false, completion: (timeoutMs) => within(completion, timeoutMs) };
  }

  /** Waits until the ledger marks the refresh another replica runs as finished. */
  function follow(workerId: string, record: RefreshRecord, timeoutMs: number): Promise<Completion> {
    return new Promise((resolve) => {
      let stop: (() => void) | undefined;
      let settled = false;
      const settle = (result: Completion) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        stop?.();
        following.delete(cancel);
        resolve(result);
      };
      const cancel = () => settle(undefined);
      following.add(cancel);
      const timer = setTimeout(cancel, Math.max(0, Math.min(timeoutMs, record.inFlightUntil - now())));
      ledger
        .watch(workerId, (entry) => {
          if (entry === undefined || entry.record.requestId !== record.requestId) return;
          const { finishedAt, version } = entry.record;
          if (finishedAt !== null) settle(version === null ? undefined : { version });
        })
        .then((unsubscribe) => {
          stop = unsubscribe;
          if (settled) unsubscribe();
        })
        .catch((error: unknown) => {
          logger.warn({ err: error, workerId }, "could not follow a refresh in flight");
          cancel();
        });
    });
  }

  function join(workerId: string, record: RefreshRecord): RefreshHandle {
    const local = running.get(record.requestId);
    logger.info({ workerId, correlationId: record.requestId }, "refresh joined the one in flight");
    return {
      requestId: record.requestId,
      sources: record.sources,
      joined: true,
      completion: (timeoutMs) =>
        local === undefined ? follow(workerId, record, timeoutMs) : within(local.completion, timeoutMs),
    };
  }

  return {
    async start(worker, requestId) {
      for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
        const current = await ledger.read(worker.id);
        const at = now();
        if (current !== undefined) {
          const last = current.record;
          if (last.finishedAt === null && at < last.inFlightUntil) return join(worker.id, last);
          const earliest = last.startedAt + minIntervalMs;
          if (at < earliest) {
            throw new RefreshTooSoonError(
              worker.id,
              minIntervalMs / 1000,
              Math.max(1, Math.ceil((earliest - at) / 1000)),
            );
          }
        }
        const record: RefreshRecord = {
          requestId,
          sources: applicableSources(worker),
          startedAt: at,
          inFlightUntil: at + inFlightMs,
          finishedAt: null,
          version: null,
        };
        const revision = await ledger.write(worker.id, record, current?.revision ?? 0);
        if (revision !== undefined) return await launch(worker, record, revision);
      }
      throw new RefreshClaimError(
        `could not start a refresh of worker ${worker.id}: too many concurrent requests`,
      );
    },
    close() {
      for (const entry of [...running.values()]) entry.stop();
      for (const cancel of [...following]) cancel();
    },
  };
}
