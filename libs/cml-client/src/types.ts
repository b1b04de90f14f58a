import type { CmlCertificatePin } from "./certificate-pin.ts";
import type { Lab, Licensing, SystemInformation, SystemStats } from "./schemas.ts";

/** Result of one HTTP exchange, as reported to {@link CmlClientOptions.onCall}. */
export type CmlCallOutcome =
  | "ok"
  | "not_found"
  | "unauthorized"
  | "auth_failed"
  | "booting"
  | "bad_response"
  | "unreachable"
  | "deadline_exceeded"
  | "too_large";

/**
 * Endpoint names used in errors and call hooks (API paths below `/api/v0`; per-lab calls share
 * `labs/{id}`).
 */
export type CmlEndpoint =
  | "authenticate"
  | "system_information"
  | "labs"
  | "labs/{id}"
  | "labs/{id}/state"
  | "populate_lab_tiles"
  | "licensing"
  | "system_stats";

/** Hook called once per HTTP exchange (self-metrics: calls per endpoint, authentications, latency). */
export type CmlCallHook = (endpoint: CmlEndpoint, outcome: CmlCallOutcome, durationMs: number) => void;

/**
 * How the client reads labs: `tiles` = one `populate_lab_tiles` call whose every tile carried a lab state;
 * `documented` = `labs?show_all=true` then `labs/{id}/state` per lab (Cisco's documented calls).
 */
export type CmlLabReadPath = "tiles" | "documented";

/** Hook called when the client chooses (or changes) how it reads a controller's labs, with the reason. */
export type CmlLabPathHook = (path: CmlLabReadPath, reason: string) => void;

/** Options of {@link createCmlClient}; one client per controller endpoint. */
export interface CmlClientOptions {
  /** Controller origin, e.g. `https://10.0.0.5` (a trailing `/api/v0` is accepted). */
  baseUrl: string;
  username: string;
  /** Never logged, never part of an error message. */
  password: string;
  /** Verify the server certificate (chain and host name); default true. Ignored with `pin`. */
  verifyTls?: boolean;
  /** PEM CA bundle to trust instead of the system roots. */
  caPem?: string;
  /** Path of a PEM CA bundle, read once when the client is created (ignored when `caPem` is given). */
  caFile?: string;
  /** Host name the certificate must name (and SNI), instead of the address in `baseUrl`. */
  serverName?: string;
  /**
   * Checks the certificate by its SHA-256 fingerprint instead of a CA chain and host name (self-signed
   * controllers): see `fixedFingerprintPin` and `tofuPin`. Nothing is sent before it accepts.
   */
  pin?: CmlCertificatePin;
  /** TCP + TLS connect timeout; default 3000 ms. */
  connectTimeoutMs?: number;
  /** Idle timers: time allowed for the response headers, and between two pieces of the body; default 10000 ms. */
  readTimeoutMs?: number;
  /** Overall deadline of each call, from connecting to the last byte of the body; default 15000 ms. */
  deadlineMs?: number;
  /** Largest answer read; default 8 MiB. A larger `populate_lab_tiles` makes the client use the documented calls. */
  maxResponseBytes?: number;
  /**
   * `GET /labs/{id}/state` calls in flight at once when labs are read through the documented calls, pipelined on
   * the controller's one connection; default 8.
   */
  labConcurrency?: number;
  onCall?: CmlCallHook;
  onLabPath?: CmlLabPathHook;
}

/** A lab's identity and state, from `populate_lab_tiles` or `labs/{id}/state`. */
export interface CmlLabSummary {
  id: string;
  /** `DEFINED_ON_CORE`, `STOPPED` or `STARTED` (kept as received). */
  state: string;
  /** Null when read through `labs/{id}/state`. */
  title: string | null;
  /** Null when read through `labs/{id}/state`. */
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
  /** `GET /labs/{id}/state` (the state as received); null when the lab no longer exists (404). */
  getLabState(labId: string): Promise<string | null>;
  /**
   * All labs with their states. `populate_lab_tiles` (Cisco: "Do not use") is only a fast path: when every tile
   * carries a lab state it is the one call; on any other answer (404, another status, another shape, a tile
   * without state, too large) the client reads `labs?show_all=true` then `labs/{id}/state` per lab with bounded
   * concurrency, and keeps to that until the controller's version changes.
   */
  getLabSummaries(): Promise<CmlLabSummary[]>;
  /** How labs are read now (undefined before the first read, or after a version change). */
  labReadPath(): CmlLabReadPath | undefined;
  /** `GET /licensing` */
  getLicensing(): Promise<Licensing>;
  /** `GET /system_stats` */
  getSystemStats(): Promise<SystemStats>;
  /** Closes the connection pool. */
  close(): Promise<void>;
}
