/** Latencies of `GET /api/v1/workers?limit=200`, asked one after another every `everyMs` while it runs. */
export function startListLoad(apiUrl: string, everyMs: number) {
  const latenciesMs: number[] = [];
  let failures = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      try {
        const response = await fetch(`${apiUrl}/api/v1/workers?limit=200`);
        const body = await response.text();
        if (response.status === 200 && body.startsWith('{"items":['))
          latenciesMs.push(performance.now() - started);
        else failures += 1;
      } catch {
        failures += 1;
      }
      const rest = everyMs - (performance.now() - started);
      if (rest > 0 && running) await new Promise((resolve) => setTimeout(resolve, rest));
    }
  })();
  return {
    async stop(): Promise<{ latenciesMs: number[]; failures: number }> {
      running = false;
      await loop;
      return { latenciesMs, failures };
    },
  };
}

/** One `refresh?wait` call: how long it took, and whether the worker came back refreshed (200) or not (202). */
export interface RefreshOutcome {
  readonly ms: number;
  readonly status: number;
}

/** The `X-Request-Id` (so the correlation id) of the bench's `index`-th refresh. */
export const refreshRequestId = (index: number) => `bench-refresh-${index}`;

/**
 * Calls `POST /api/v1/workers/:id/refresh?wait=<waitSeconds>` once for each worker, spread evenly from `startAt`
 * (epoch ms) over `spreadMs`; calls overlap when one takes longer than the spacing.
 */
export async function runRefreshes(options: {
  apiUrl: string;
  workerIds: readonly string[];
  startAt: number;
  spreadMs: number;
  waitSeconds: number;
  /** Called as each call is sent, with its request id and the time (epoch ms). */
  onSent?: (requestId: string, at: number) => void;
}): Promise<RefreshOutcome[]> {
  const step = options.spreadMs / Math.max(1, options.workerIds.length);
  return await Promise.all(
    options.workerIds.map(async (workerId, index) => {
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, options.startAt + index * step - Date.now())),
      );
      const started = performance.now();
      const requestId = refreshRequestId(index);
      options.onSent?.(requestId, Date.now());
      try {
        const response = await fetch(
          `${options.apiUrl}/api/v1/workers/${workerId}/refresh?wait=${options.waitSeconds}`,
          { method: "POST", headers: { "x-request-id": requestId } },
        );
        await response.text();
        return { ms: performance.now() - started, status: response.status };
      } catch {
        return { ms: performance.now() - started, status: 0 };
      }
    }),
  );
}
