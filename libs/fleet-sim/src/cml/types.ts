/** How a simulated controller behaves. */
export type CmlServerMode =
  /** answers like a healthy controller */
  | "up"
  /** resets every connection (like a stopped service) */
  | "down"
  /** 502 Bad Gateway HTML page from the reverse proxy on every path */
  | "booting"
  /** like `up`, each response delayed by `slowMs` */
  | "slow"
  /** `POST /authenticate` → 403; tokens issued earlier keep working */
  | "bad-credentials"
  /** 200 with truncated (invalid) JSON bodies */
  | "malformed";

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
  /** Whether `GET /populate_lab_tiles` exists (false → 404, as on controllers without it). */
  labTiles: boolean;
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
  /** Highest number of concurrent requests seen by one controller since the last `resetCalls`. */
  maxInFlight(key: string): number;
  resetCalls(): void;
  /** Invalidates every issued token (like a controller restart); all controllers when no key. */
  revokeTokens(key?: string): void;
  /** The self-signed certificate (PEM) every controller serves; trust it as the CA. */
  readonly caCertPem: string;
  close(): Promise<void>;
}
