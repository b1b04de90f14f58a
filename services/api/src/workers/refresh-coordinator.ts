import { randomUUID } from "node:crypto";
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
import type { CommandPublisher, EventFeed } from "../ports.ts";
import { applicableSources } from "./worker-rules.ts";

/** A refresh was asked while another one of the same worker is still running. */
export class RefreshInFlightError extends Error {
  override readonly name = "RefreshInFlightError";
  readonly code = "REFRESH_IN_FLIGHT";
  readonly retryAfterSeconds: number;

  constructor(workerId: string, retryAfterSeconds: number) {
    super(`a refresh of worker ${workerId} is already in flight`);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A started refresh. */
export interface RefreshHandle {
  readonly requestId: string;
  readonly sources: readonly Source[];
  /**
   * Resolves when every source reported (`*_metrics_updated`) or failed (`source_failed`) for this request, with
   * the highest aggregate version seen; undefined when the in-flight window ran out first.
   */
  readonly completion: Promise<{ version: number } | undefined>;
}

/** Starts refreshes: one in flight per worker (per API process). */
export interface RefreshCoordinator {
  /** @throws RefreshInFlightError while a refresh of the worker runs. */
  start(worker: WorkerState): Promise<RefreshHandle>;
  /** Ends every tracked refresh (shutdown). */
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

/**
 * Publishes the collect commands of a refresh with a fresh correlation id, after subscribing to the worker's
 * domain events so no answer can be missed, and tracks which sources answered.
 */
export function createRefreshCoordinator(options: {
  feed: EventFeed;
  commands: CommandPublisher;
  logger: Logger;
  /** How long a refresh counts as in flight at most. */
  inFlightMs: number;
  now?: () => number;
}): RefreshCoordinator {
  const { feed, commands, logger, inFlightMs } = options;
  const now = options.now ?? Date.now;
  const inFlight = new Map<string, { until: number; finish: () => void }>();

  return {
    async start(worker) {
      const current = inFlight.get(worker.id);
      if (current) {
        throw new RefreshInFlightError(worker.id, Math.max(1, Math.ceil((current.until - now()) / 1000)));
      }
      const requestId = randomUUID();
      const sources = applicableSources(worker);
      const pending = new Set<Source>(sources);
      let highestVersion = 0;
      let settle: (result: { version: number } | undefined) => void = () => {};
      const completion = new Promise<{ version: number } | undefined>((resolve) => {
        settle = resolve;
      });
      let unsubscribe: (() => void) | undefined;
      let done = false;
      const finish = (result: { version: number } | undefined) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        unsubscribe?.();
        inFlight.delete(worker.id);
        settle(result);
      };
      const timer = setTimeout(() => finish(undefined), inFlightMs);
      inFlight.set(worker.id, { until: now() + inFlightMs, finish: () => finish(undefined) });
      try {
        unsubscribe = await feed.watchWorker(worker.id, (event) => {
          if (correlationIdOf(event) !== requestId) return;
          highestVersion = Math.max(highestVersion, versionOf(event));
          const source = reportedSource(event);
          if (source !== undefined) pending.delete(source);
          if (pending.size === 0) finish({ version: highestVersion });
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
        finish(undefined);
        throw error;
      }
      logger.info({ workerId: worker.id, correlationId: requestId, sources }, "refresh requested");
      return { requestId, sources, completion };
    },
    close() {
      for (const entry of [...inFlight.values()]) entry.finish();
    },
  };
}
