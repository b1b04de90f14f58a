import type { CmlClient } from "@cml-telemetry/cml-client";
import type { Logger } from "@cml-telemetry/messaging";

/** One CML client per worker endpoint, kept across collection cycles so the cached token is reused. */
export interface CmlClientCache {
  /** The worker's client for `endpoint`; a client for a different (older) endpoint is closed and replaced. */
  clientFor(workerId: string, endpoint: string): CmlClient;
  /** Closes and drops the clients `shouldEvict` selects (worker gone, no longer RUNNING, endpoint moved). */
  evictWhere(shouldEvict: (workerId: string, endpoint: string) => boolean): number;
  /** The endpoint of the worker's cached client, if any. */
  endpointOf(workerId: string): string | undefined;
  size(): number;
  closeAll(): Promise<void>;
}

/** Options of {@link createCmlClientCache}. */
export interface CmlClientCacheOptions {
  /**
   * Builds a worker's client for one endpoint (TLS, timeouts, credentials and hooks are decided by the caller;
   * the worker id keys per-worker state such as its certificate pin).
   */
  readonly createClient: (endpoint: string, workerId: string) => CmlClient;
  /** Called when a worker's client is dropped, so per-worker memory tied to the controller can go too. */
  readonly onEvict?: (workerId: string) => void;
  readonly logger: Logger;
}

/** Creates the per-worker client cache. */
export function createCmlClientCache(options: CmlClientCacheOptions): CmlClientCache {
  const entries = new Map<string, { endpoint: string; client: CmlClient }>();

  function drop(workerId: string, reason: string): void {
    const entry = entries.get(workerId);
    if (entry === undefined) return;
    entries.delete(workerId);
    options.onEvict?.(workerId);
    options.logger.debug({ workerId, endpoint: entry.endpoint, reason }, "CML client evicted");
    entry.client.close().catch((error: unknown) => {
      options.logger.warn(
        { workerId, err: error instanceof Error ? error.message : String(error) },
        "closing a CML client failed",
      );
    });
  }

  return {
    clientFor(workerId, endpoint) {
      const entry = entries.get(workerId);
      if (entry !== undefined && entry.endpoint === endpoint) return entry.client;
      if (entry !== undefined) drop(workerId, "endpoint changed");
      const client = options.createClient(endpoint, workerId);
      entries.set(workerId, { endpoint, client });
      return client;
    },
    evictWhere(shouldEvict) {
      let evicted = 0;
      for (const [workerId, entry] of [...entries]) {
        if (shouldEvict(workerId, entry.endpoint)) {
          drop(workerId, "worker gone or no longer collectable");
          evicted += 1;
        }
      }
      return evicted;
    },
    endpointOf: (workerId) => entries.get(workerId)?.endpoint,
    size: () => entries.size,
    async closeAll() {
      const clients = [...entries.values()].map((entry) => entry.client);
      entries.clear();
      await Promise.allSettled(clients.map((client) => client.close()));
    },
  };
}
