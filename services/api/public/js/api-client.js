/**
 * @typedef {{ type?: string, title?: string, status?: number, detail?: string, param?: string }} Problem
 * @typedef {{ get(): string | null, set(token: string): void, clear(): void }} TokenStore
 */

/** An API answer other than 2xx, carrying the RFC 7807 problem when the API sent one. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {Problem | null} problem
   * @param {string} path
   */
  constructor(status, problem, path) {
    super(problem?.detail ?? `${path} answered HTTP ${status}`);
    this.name = "ApiError";
    this.status = status;
    this.problem = problem;
    /** @type {string | null} */
    this.retryAfter = null;
  }
}

const TOKEN_KEY = "cml-telemetry.api-token";

/**
 * The bearer token, kept in sessionStorage (this tab only).
 * @param {Storage} storage
 * @returns {TokenStore}
 */
export function createTokenStore(storage) {
  return {
    get: () => storage.getItem(TOKEN_KEY),
    set: (token) => storage.setItem(TOKEN_KEY, token),
    clear: () => storage.removeItem(TOKEN_KEY),
  };
}

/**
 * Client of `/api/v1`: adds the bearer token, parses JSON and problem+json, reports 401 to `onUnauthorized`.
 * @param {{ tokens: TokenStore, onUnauthorized: (error: ApiError) => void }} deps
 */
export function createApiClient({ tokens, onUnauthorized }) {
  /**
   * @param {string} path
   * @param {{ method?: string, signal?: AbortSignal, json?: unknown, headers?: Record<string, string> }} [options]
   * @returns {Promise<{ status: number, body: any }>}
   */
  async function request(path, options = {}) {
    /** @type {Record<string, string>} */
    const headers = { accept: "application/json", ...options.headers };
    const token = tokens.get();
    if (token) headers.authorization = `Bearer ${token}`;
    /** @type {RequestInit} */
    const init = { method: options.method ?? "GET", headers, signal: options.signal };
    if (options.json !== undefined) {
      headers["content-type"] = "application/json";
      init.body = JSON.stringify(options.json);
    }
    const response = await fetch(path, init);
    const text = await response.text();
    const body = text === "" ? null : JSON.parse(text);
    if (!response.ok) {
      const error = new ApiError(response.status, body, path);
      error.retryAfter = response.headers.get("retry-after");
      if (response.status === 401) onUnauthorized(error);
      throw error;
    }
    return { status: response.status, body };
  }

  return {
    /** Every worker, following `next_cursor` (1,000 a page). */
    async listWorkers() {
      const workers = [];
      let cursor = null;
      do {
        const query = cursor === null ? "limit=1000" : `limit=1000&cursor=${encodeURIComponent(cursor)}`;
        const { body } = await request(`/api/v1/workers?${query}`);
        workers.push(...body.items);
        cursor = body.next_cursor;
      } while (cursor !== null);
      return workers;
    },
    /** @param {string} id */
    getWorker: async (id) => (await request(`/api/v1/workers/${encodeURIComponent(id)}`)).body,
    /**
     * `POST /workers/:id/refresh?wait=` → 200 with the worker, or 202 with `{ request_id, sources }`.
     * @param {string} id
     * @param {number} waitSeconds
     */
    refresh: (id, waitSeconds) =>
      request(`/api/v1/workers/${encodeURIComponent(id)}/refresh?wait=${waitSeconds}`, { method: "POST" }),
    /**
     * @param {string} id
     * @param {{ from: string, to: string, interval: number, metrics: string }} query
     */
    history: async (id, query) => {
      const params = new URLSearchParams({
        from: query.from,
        to: query.to,
        interval: String(query.interval),
        metrics: query.metrics,
      });
      return (await request(`/api/v1/workers/${encodeURIComponent(id)}/metrics/history?${params}`)).body;
    },
    /**
     * @param {string} id
     * @param {number} limit
     */
    workerEvents: async (id, limit) =>
      (await request(`/api/v1/workers/${encodeURIComponent(id)}/events?limit=${limit}`)).body,
    /** @returns {Promise<{ name: string, role: "viewer" | "operator" }>} */
    whoami: async () => (await request("/api/v1/whoami")).body,
    /**
     * `POST /workers/:id/<action>` (operator) with `requestId` as `X-Request-Id`: 202 `{ request_id }`; the outcome
     * arrives on the live feed as `<action>_requested`. A terminate sends the instance id typed as `confirm`.
     * @param {string} id
     * @param {import("./lifecycle-model.js").LifecycleAction} action
     * @param {{ requestId: string, confirm?: string }} options
     */
    lifecycle: (id, action, { requestId, confirm }) =>
      request(
        `/api/v1/workers/${encodeURIComponent(id)}/${action}${confirm === undefined ? "" : `?confirm=${encodeURIComponent(confirm)}`}`,
        { method: "POST", headers: { "x-request-id": requestId } },
      ),
    /**
     * Fleet counts, this month's cost, and each source's configured collection interval.
     * @returns {Promise<{ collection_intervals_seconds: Record<"ec2" | "cloudwatch" | "cml", number>, stale_after_intervals: number, cost: import("./lifecycle-model.js").FleetCost }>}
     */
    fleetSummary: async () => (await request("/api/v1/fleet/summary")).body,
    /**
     * `POST /workers` (operator): 201 for a new worker, 200 for a known one (name and endpoint applied).
     * @param {{ region: string, instance_id: string, name?: string, https_endpoint?: string }} registration
     * @returns {Promise<{ status: number, body: { id: string, request_id: string, worker: import("./fleet-model.js").Worker | null } }>}
     */
    registerWorker: (registration) => request("/api/v1/workers", { method: "POST", json: registration }),
    /** URL of the SSE feed; EventSource cannot send headers, so the token goes in `access_token`. */
    eventsUrl() {
      const token = tokens.get();
      return token ? `/api/v1/events?access_token=${encodeURIComponent(token)}` : "/api/v1/events";
    },
  };
}

/** @typedef {ReturnType<typeof createApiClient>} ApiClient */
