import { readFileSync } from "node:fs";
import type { z } from "zod";
import {
  CmlAuthFailed,
  CmlBadResponse,
  CmlBooting,
  CmlDeadlineExceeded,
  CmlResponseTooLarge,
  CmlTlsFingerprintChanged,
  CmlUnreachable,
} from "./errors.ts";
import { type CmlHttpResponse, createCmlTransport } from "./http-transport.ts";
import { errorForStatus, parseBody } from "./interpret-response.ts";
import { mapWithConcurrency } from "./map-with-concurrency.ts";
import {
  authTokenSchema,
  labIdListSchema,
  labSchema,
  labStateSchema,
  labTilesEnvelopeSchema,
  labTileWithStateSchema,
  licensingSchema,
  systemInformationSchema,
  systemStatsSchema,
} from "./schemas.ts";
import type {
  CmlCallOutcome,
  CmlClient,
  CmlClientOptions,
  CmlEndpoint,
  CmlLabReadPath,
  CmlLabSummary,
} from "./types.ts";

const DEFAULT_CONNECT_TIMEOUT_MS = 3_000;
const DEFAULT_READ_TIMEOUT_MS = 10_000;
const DEFAULT_DEADLINE_MS = 15_000;
const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
const DEFAULT_LAB_CONCURRENCY = 8;

function outcomeOf(error: unknown): CmlCallOutcome {
  if (error instanceof CmlAuthFailed) return error.status === 401 ? "unauthorized" : "auth_failed";
  if (error instanceof CmlBooting) return "booting";
  if (error instanceof CmlUnreachable || error instanceof CmlTlsFingerprintChanged) return "unreachable";
  if (error instanceof CmlDeadlineExceeded) return "deadline_exceeded";
  if (error instanceof CmlResponseTooLarge) return "too_large";
  return "bad_response";
}

/** Why `populate_lab_tiles` cannot serve as the fast path, or undefined when its failure must be reported. */
function tilesRefusal(error: unknown): string | undefined {
  if (error instanceof CmlResponseTooLarge) return error.message;
  if (error instanceof CmlBadResponse) return error.message;
  return undefined;
}

const isUnauthorized = (error: unknown): boolean => error instanceof CmlAuthFailed && error.status === 401;

/**
 * Creates a client for one CML controller. The JWT is cached per client and reused across reads; a 401
 * triggers exactly one re-authentication and retry, and concurrent callers share one in-flight login.
 * TLS policy is private to the client (its own undici `Agent`), and so is its one connection: parallel lab-state
 * calls are pipelined on it, and without a certificate pin the next connection resumes the last TLS session.
 *
 * @example
 * const client = createCmlClient({ baseUrl: "https://10.0.0.5", username: "admin", password, verifyTls: false });
 * const info = await client.getSystemInformation();
 */
export function createCmlClient(options: CmlClientOptions): CmlClient {
  const caPem =
    options.caPem ?? (options.caFile === undefined ? undefined : readFileSync(options.caFile, "utf8"));
  const labConcurrency = Math.max(1, options.labConcurrency ?? DEFAULT_LAB_CONCURRENCY);
  const transport = createCmlTransport({
    baseUrl: options.baseUrl,
    verifyTls: options.verifyTls ?? true,
    caPem,
    serverName: options.serverName,
    pin: options.pin,
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    readTimeoutMs: options.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS,
    deadlineMs: options.deadlineMs ?? DEFAULT_DEADLINE_MS,
    maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    // The lab states read at once go over the one connection together.
    pipelining: labConcurrency,
  });
  const onCall = options.onCall;

  let token: string | undefined;
  let login: Promise<string> | undefined;
  let labPath: CmlLabReadPath | undefined;
  let lastVersion: string | undefined;

  function chooseLabPath(path: CmlLabReadPath, reason: string): void {
    if (labPath === path) return;
    labPath = path;
    options.onLabPath?.(path, reason);
  }

  /** One HTTP exchange, timed and reported; `interpret` turns the raw answer into a value or an error. */
  async function exchange<T>(
    endpoint: CmlEndpoint,
    attempt: () => Promise<CmlHttpResponse>,
    interpret: (response: CmlHttpResponse) => { value: T; outcome: CmlCallOutcome },
  ): Promise<T> {
    const started = performance.now();
    try {
      const { value, outcome } = interpret(await attempt());
      onCall?.(endpoint, outcome, performance.now() - started);
      return value;
    } catch (error) {
      onCall?.(endpoint, outcomeOf(error), performance.now() - started);
      throw error;
    }
  }

  function authenticateNow(): Promise<string> {
    return exchange(
      "authenticate",
      () =>
        transport.send("authenticate", "POST", "authenticate", {
          json: { username: options.username, password: options.password },
        }),
      (response) => {
        if (response.status === 401 || response.status === 403) {
          throw new CmlAuthFailed(
            `CML authenticate: credentials of user "${options.username}" were rejected (${response.status})`,
            "authenticate",
            response.status,
          );
        }
        if (response.status < 200 || response.status >= 300) throw errorForStatus("authenticate", response);
        return { value: parseBody("authenticate", response, authTokenSchema), outcome: "ok" };
      },
    );
  }

  function currentToken(): Promise<string> {
    if (token !== undefined) return Promise.resolve(token);
    if (login === undefined) {
      login = authenticateNow()
        .then((fresh) => {
          token = fresh;
          return fresh;
        })
        .finally(() => {
          login = undefined;
        });
    }
    return login;
  }

  /** Drops `stale` (unless another caller already replaced it) and returns a valid token. */
  function renewToken(stale: string): Promise<string> {
    if (token === stale) token = undefined;
    return currentToken();
  }

  function getJson<S extends z.ZodType>(
    endpoint: CmlEndpoint,
    path: string,
    schema: S,
    bearer: string | undefined,
    allowNotFound: boolean,
  ): Promise<z.output<S> | null> {
    return exchange(
      endpoint,
      () => transport.send(endpoint, "GET", path, bearer === undefined ? {} : { token: bearer }),
      (response) => {
        if (allowNotFound && response.status === 404) return { value: null, outcome: "not_found" };
        if (response.status < 200 || response.status >= 300) throw errorForStatus(endpoint, response);
        return { value: parseBody(endpoint, response, schema), outcome: "ok" };
      },
    );
  }

  async function getAuthed<S extends z.ZodType>(
    endpoint: CmlEndpoint,
    path: string,
    schema: S,
    allowNotFound = false,
  ): Promise<z.output<S> | null> {
    const first = await currentToken();
    try {
      return await getJson(endpoint, path, schema, first, allowNotFound);
    } catch (error) {
      if (!isUnauthorized(error)) throw error;
    }
    const renewed = await renewToken(first);
    try {
      return await getJson(endpoint, path, schema, renewed, allowNotFound);
    } catch (error) {
      if (!isUnauthorized(error)) throw error;
      if (token === renewed) token = undefined;
      throw new CmlAuthFailed(
        `CML ${endpoint}: token rejected (401) again right after re-authentication`,
        endpoint,
        401,
        { cause: error },
      );
    }
  }

  async function getRequired<S extends z.ZodType>(endpoint: CmlEndpoint, path: string, schema: S) {
    const value = await getAuthed(endpoint, path, schema);
    if (value === null) throw new CmlBadResponse(`CML ${endpoint}: unexpected 404`, endpoint, 404);
    return value;
  }

  /**
   * The labs from `populate_lab_tiles` when every tile carries a lab state; otherwise why not. Failures that would
   * fail the documented calls too (unreachable, deadline, booting, credentials) are thrown.
   */
  async function labsFromTiles(): Promise<CmlLabSummary[] | { refusal: string }> {
    let tiles: z.output<typeof labTilesEnvelopeSchema> | null;
    try {
      tiles = await getAuthed("populate_lab_tiles", "populate_lab_tiles", labTilesEnvelopeSchema, true);
    } catch (error) {
      const refusal = tilesRefusal(error);
      if (refusal === undefined) throw error;
      return { refusal };
    }
    if (tiles === null) return { refusal: "populate_lab_tiles answered 404" };
    const labs: CmlLabSummary[] = [];
    for (const [id, tile] of Object.entries(tiles.lab_tiles)) {
      const parsed = labTileWithStateSchema.safeParse(tile);
      if (!parsed.success) {
        return {
          refusal: `populate_lab_tiles tile ${id} carries no lab state (Cisco documents LabUi tiles)`,
        };
      }
      labs.push(summaryOf(id, parsed.data));
    }
    return labs;
  }

  const client: CmlClient = {
    apiBase: transport.apiBase,

    async getSystemInformation() {
      const info = await getJson(
        "system_information",
        "system_information",
        systemInformationSchema,
        undefined,
        false,
      );
      if (info === null)
        throw new CmlBadResponse("CML system_information: unexpected 404", "system_information", 404);
      if (lastVersion !== undefined && info.version !== lastVersion) labPath = undefined;
      lastVersion = info.version;
      return info;
    },

    async authenticate() {
      token = undefined;
      await currentToken();
    },

    listLabIds: () => getRequired("labs", "labs?show_all=true", labIdListSchema),

    getLab: (labId) => getAuthed("labs/{id}", `labs/${encodeURIComponent(labId)}`, labSchema, true),

    getLabState: (labId) =>
      getAuthed("labs/{id}/state", `labs/${encodeURIComponent(labId)}/state`, labStateSchema, true),

    async getLabSummaries() {
      if (labPath !== "documented") {
        const fromTiles = await labsFromTiles();
        if (Array.isArray(fromTiles)) {
          chooseLabPath("tiles", "every populate_lab_tiles tile carries a lab state");
          return fromTiles;
        }
        chooseLabPath("documented", fromTiles.refusal);
      }
      const ids = await client.listLabIds();
      const labs = await mapWithConcurrency(
        ids,
        labConcurrency,
        async (id): Promise<CmlLabSummary | null> => {
          const state = await client.getLabState(id);
          return state === null ? null : { id, state, title: null, nodeCount: null };
        },
      );
      return labs.filter((lab): lab is CmlLabSummary => lab !== null);
    },

    labReadPath: () => labPath,

    getLicensing: () => getRequired("licensing", "licensing", licensingSchema),

    getSystemStats: () => getRequired("system_stats", "system_stats", systemStatsSchema),

    close: () => transport.close(),
  };
  return client;
}

function summaryOf(id: string, lab: z.output<typeof labTileWithStateSchema>): CmlLabSummary {
  return {
    id: lab.id ?? id,
    state: lab.state,
    title: lab.lab_title ?? null,
    nodeCount: lab.node_count ?? null,
  };
}
