import type { Lab, LabTiles, Licensing, SystemInformation, SystemStats } from "./schemas.ts";

/** Result of one HTTP exchange, as reported to {@link CmlClientOptions.onCall}. */
export type CmlCallOutcome =
  | "ok"
  | "not_found"
  | "unauthorized"
  | "auth_failed"
  | "booting"
  | "bad_response"
  | "unreachable";

/**
 * Endpoint names used in errors and call hooks (API paths below `/api/v0`; per-lab calls share
 * `labs/{id}`).
 */
export type CmlEndpoint =
  | "authenticate"
  | "system_information"
  | "labs"
  | "labs/{id}"
  | "populate_lab_tiles"
  | "licensing"
  | "system_stats";

/** Hook called once per HTTP exchange (self-metrics: calls per endpoint, authentications, latency). */
export type CmlCallHook = (endpoint: CmlEndpoint, outcome: CmlCallOutcome, durationMs: number) => void;

/** Options of {@link createCmlClient}; one client per controller endpoint. */
export interface CmlClientOptions {
  /** Controller origin, e.g. `https://10.0.0.5` (a trailing `/api/v0` is accepted). */
  baseUrl: string;
  username: string;
  /** Never logged, never part of an error message. */
  password: string;
  /** Verify the server certificate; default true. */
  verifyTls?: boolean;
  /** PEM CA bundle to trust instead of the system roots. */
  caPem?: string;
  /** Path of a PEM CA bundle, read once when the client is created (ignored when `caPem` is given). */
  caFile?: string;
  /** TCP + TLS connect timeout; default 3000 ms. */
  connectTimeoutMs?: number;
  /** Time allowed for response headers, and again for the body; default 10000 ms. */
  readTimeoutMs?: number;
  /** Parallel `GET /labs/{id}` calls when `populate_lab_tiles` is unavailable; default 8. */
  labConcurrency?: number;
  onCall?: CmlCallHook;
}

/** A lab's identity and state, from `populate_lab_tiles` or `labs/{id}`. */
export interface CmlLabSummary {
  id: string;
  /** `DEFINED_ON_CORE`, `STOPPED` or `STARTED` (kept as received). */
  state: string;
  title: string | null;
  nodeCount: number | null;
}

/** Typed access to one CML controller. Authenticated calls share a cached token. */
export interface CmlClient {
  /** `https://host:port/api/v0` */
  readonly apiBase: string;
  /** `GET /system_information`, unauthenticated. Throws `CmlBooting` on 502/503. */
  getSystemInformation(): Promise<SystemInformation>;
  /** Forces a fresh `POST /authenticate` (normally implicit and cached). */
  authenticate(): Promise<void>;
  /** `GET /labs?show_all=true` */
  listLabIds(): Promise<string[]>;
  /** `GET /labs/{id}`; null when the lab no longer exists (404). */
  getLab(labId: string): Promise<Lab | null>;
  /** `GET /populate_lab_tiles`; null when the controller does not offer it (404). */
  getLabTiles(): Promise<LabTiles | null>;
  /**
   * All labs with their states: one `populate_lab_tiles` call, or — when that answers 404 (remembered
   * until the controller version changes) — `labs` plus `labs/{id}` with bounded concurrency.
   */
  getLabSummaries(): Promise<CmlLabSummary[]>;
  /** `GET /licensing` */
  getLicensing(): Promise<Licensing>;
  /** `GET /system_stats` */
  getSystemStats(): Promise<SystemStats>;
  /** Closes the connection pool. */
  close(): Promise<void>;
}
