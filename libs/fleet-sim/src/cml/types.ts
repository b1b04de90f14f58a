/**
 * How a simulated controller behaves: `up` answers like a healthy controller; `down` resets every connection
 * (like a stopped service); `booting` answers the reverse proxy's 502 HTML page on every path; `slow` is `up`
 * with each response delayed by `slowMs`; `bad-credentials` refuses `POST /authenticate` with 403 (tokens issued
 * earlier keep working); `malformed` answers 200 with truncated (invalid) JSON bodies.
 */
export const CML_SERVER_MODES = ["up", "down", "booting", "slow", "bad-credentials", "malformed"] as const;
export type CmlServerMode = (typeof CML_SERVER_MODES)[number];

/**
 * The shape of `GET /populate_lab_tiles` ("Do not use" in Cisco's OpenAPI): `documented` is Cisco's `LabUi` per
 * tile (topology, health, system_information, simplified_node_definitions, effective_permissions; no lab state);
 * `with-lab-fields` adds the lab fields (`state`, `lab_title`, …) as some controllers do; `absent` answers 404.
 */
export const CML_LAB_TILES_SHAPES = ["documented", "with-lab-fields", "absent"] as const;
export type CmlLabTilesShape = (typeof CML_LAB_TILES_SHAPES)[number];

/**
 * A controller that trickles its answers: after the status line and headers, the body goes out `bytesPerWrite`
 * bytes at a time, one write every `intervalMs` — never idle long enough to trip an idle timer.
 */
export interface CmlTrickle {
  bytesPerWrite: number;
  intervalMs: number;
}

/** Lab states as CML reports them. */
export type CmlSimLabState = "DEFINED_ON_CORE" | "STOPPED" | "STARTED";

/** One simulated lab; `id` must be a UUID v4 (CML's lab id format). */
export interface CmlSimLab {
  id: string;
  title: string;
  state: CmlSimLabState;
  nodeCount: number;
}

/** Everything a simulated controller reports; change it at any time with `CmlServerPool.update`. */
export interface CmlServerSpec {
  mode: CmlServerMode;
  /** e.g. `2.9.1+build.7` */
  version: string;
  /** `system_information.ready` (false: the controller answers but no compute can start nodes yet). */
  ready: boolean;
  labs: CmlSimLab[];
  /** Free-form CML status strings, e.g. `COMPLETED` / `IN_COMPLIANCE`. */
  license: { registration: string; authorization: string };
  cpuPercent: number;
  memoryUsedPercent: number;
  diskUsedPercent: number;
  /** Running nodes over all computes; null makes `dominfo` counts null. */
  runningNodes: number | null;
  /** Response delay in `slow` mode. */
  slowMs: number;
  /** Response shape: 2.9.0 sends integer bytes; 2.9.1 float bytes and `cpu.hyperthreading`. */
  variant?: "2.9.0" | "2.9.1";
  /** The shape of `GET /populate_lab_tiles` (default `documented`). */
  labTiles: CmlLabTilesShape;
  /** Trickle every response body (null: each body is written at once). */
  trickle: CmlTrickle | null;
  /** Number of compute hosts in `system_stats` (the first is the controller). */
  computeCount: number;
}

/** Options of `createCmlServerPool`. */
export interface CmlServerPoolOptions {
  /** The only accepted credentials. */
  username: string;
  password: string;
  /** Token lifetime; after it a token gets 401. Default 86400. */
  tokenTtlSeconds?: number;
  /** Clock (ms since epoch); default `Date.now`. */
  now?: () => number;
  /**
   * The host name the controllers' certificate names, instead of the address they are reached on
   * (`127.0.0.1`, `localhost`): clients then need a server-name override or a pinned fingerprint.
   */
  certificateHost?: string;
}

/** A set of simulated CML controllers, each an HTTPS server on its own loopback port. */
export interface CmlServerPool {
  /** Starts a controller; `endpoint` is `https://127.0.0.1:PORT`. Throws if `key` exists. */
  add(key: string, spec?: Partial<CmlServerSpec>): Promise<{ endpoint: string }>;
  /** Changes a controller's behaviour; takes effect for the next request (`down` also drops open sockets). */
  update(key: string, patch: Partial<CmlServerSpec>): void;
  /** Stops and forgets a controller. */
  remove(key: string): Promise<void>;
  /** A copy of the controller's current spec. */
  get(key: string): CmlServerSpec | undefined;
  /** Requests received per endpoint (`authenticate`, `system_information`, `labs`, `labs/{id}`, …). */
  calls(key?: string): Record<string, number>;
  /** TLS connections one controller accepted since the last `resetCalls`, and how many resumed a session. */
  connections(key: string): { opened: number; resumed: number };
  /** Highest number of concurrent requests seen by one controller since the last `resetCalls`. */
  maxInFlight(key: string): number;
  resetCalls(): void;
  /** Invalidates every issued token (like a controller restart); all controllers when no key. */
  revokeTokens(key?: string): void;
  /** The self-signed certificate (PEM) every controller serves at first; trust it as the CA. */
  readonly caCertPem: string;
  /** The host name the certificates name (`localhost` unless `certificateHost` was given). */
  readonly certificateHost: string;
  /** The certificate (PEM) the controller serves now. */
  certificatePem(key: string): string;
  /**
   * Gives the controller a new self-signed certificate (same names, new key), as a re-installed or impersonated
   * controller would present; open connections are closed, new ones see it. Returns its PEM.
   */
  replaceCertificate(key: string): Promise<string>;
  close(): Promise<void>;
}
