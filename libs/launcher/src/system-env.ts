import { join } from "node:path";
import { SERVICES, type ServiceName } from "@cml-telemetry/contracts";

/**
 * The services the system starts (the contracts' list). They start together: every durable consumer delivers from
 * the start of its stream, so nothing published before a consumer exists is missed.
 */
export const SERVICE_NAMES = SERVICES;
export type SystemServiceName = ServiceName;

/**
 * Node flags of every service not named in {@link SERVICE_NODE_FLAGS}: a young generation of at most 2 × 8 MB. V8
 * otherwise grows it to 2 × 64 MB in any process that allocates in bursts (each collector at every slot), which at
 * 5,000 workers was 128 MB of each collector's RSS for a live set of 50–100 MB (bench/system.ts); with the heap
 * growing factor every main.ts sets (`applyHeapTuning`), the six services' RSS went from 2.1 GB to 1.3 GB there.
 */
export const DEFAULT_SERVICE_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=8"];

/**
 * Node flags of the services that need others (docker-compose sets each service's flags through `NODE_OPTIONS`).
 * The aggregate keeps its young generation at 2 × 16 MB: enough for 12,000 inputs/s at ~230 MB RSS instead of
 * 500 MB with V8's default sizing (bench/aggregate.ts).
 */
export const SERVICE_NODE_FLAGS: Readonly<Partial<Record<SystemServiceName, readonly string[]>>> = {
  "worker-aggregate": ["--max-semi-space-size=16"],
};

/**
 * Environment every service process starts with (the Dockerfile sets the same with `ENV`): glibc's malloc keeps at
 * most 2 arenas instead of 8 per core, and returns freed memory above 1 MB at the top of its heap. Node's threads (the
 * libuv pool, V8's GC helpers) otherwise each grow an arena of their own that is rarely given back; at 1,000 workers
 * this took the seven services from 1,309 MB to 1,186 MB RSS (bench/system.ts), for no throughput lost. Values set in
 * the environment win. Without glibc (musl) the variables do nothing.
 */
export const SERVICE_PROCESS_ENV: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: "2",
  MALLOC_TRIM_THRESHOLD_: "1048576",
};

/** The node flags a service starts with. */
export function serviceNodeFlags(service: SystemServiceName): readonly string[] {
  return SERVICE_NODE_FLAGS[service] ?? DEFAULT_SERVICE_NODE_FLAGS;
}

/**
 * The node arguments and environment of a service process of the repository at `repoRoot`: its node flags (after
 * `extraNodeFlags`), its `main.ts`, and {@link SERVICE_PROCESS_ENV} under `env` (values in `env` win).
 */
export function serviceProcess(
  service: SystemServiceName,
  options: { repoRoot: string; env: NodeJS.ProcessEnv; extraNodeFlags?: readonly string[] },
): { args: string[]; env: NodeJS.ProcessEnv } {
  return {
    args: [
      ...(options.extraNodeFlags ?? []),
      ...serviceNodeFlags(service),
      join(options.repoRoot, "services", service, "src/main.ts"),
    ],
    env: { ...SERVICE_PROCESS_ENV, ...options.env },
  };
}

/** What the fleet simulator prints when ready. */
export interface FleetSimReady {
  readonly url: string;
  readonly caFile?: string;
  /** The host the simulated CML servers' certificate names (they are reached on 127.0.0.1). */
  readonly cmlServerName?: string | null;
  readonly workers: number;
  readonly regions?: string[];
}

/** A service's log line saying it is ready (pino JSON with msg "ready" or "<service> ready"). */
export function isReadyLine(line: string): boolean {
  return /"msg":"(?:[\w-]+ )?ready"/.test(line);
}

/** The `url` a JSON ready line names (the api says there where it listens); undefined for none or a non-JSON line. */
export function readyLineUrl(line: string | undefined): string | undefined {
  if (line === undefined) return undefined;
  try {
    const { url } = JSON.parse(line) as { url?: unknown };
    return typeof url === "string" ? url : undefined;
  } catch {
    return undefined;
  }
}

/** Environment pointing the services at the fleet simulator (only variables not already set are added). */
export function simulatorEnv(
  env: NodeJS.ProcessEnv,
  sim: FleetSimReady,
  simEnv: NodeJS.ProcessEnv,
): NodeJS.ProcessEnv {
  return {
    ...env,
    AWS_ENDPOINT_URL_EC2: sim.url,
    AWS_ENDPOINT_URL_CLOUDWATCH: sim.url,
    AWS_ENDPOINT_URL_PRICING: sim.url,
    AWS_ACCESS_KEY_ID: env.AWS_ACCESS_KEY_ID ?? "fleet-sim",
    AWS_SECRET_ACCESS_KEY: env.AWS_SECRET_ACCESS_KEY ?? "fleet-sim",
    AWS_REGION: env.AWS_REGION ?? "us-east-1",
    CML_REGIONS: env.CML_REGIONS ?? (sim.regions ?? ["us-east-1", "eu-west-1"]).join(","),
    CML_USERNAME: env.CML_USERNAME ?? simEnv.FLEET_SIM_CML_USERNAME ?? "admin",
    CML_PASSWORD: env.CML_PASSWORD ?? simEnv.FLEET_SIM_CML_PASSWORD ?? "fleet-sim-password",
    ...(sim.caFile && !env.CML_CA_FILE ? { CML_CA_FILE: sim.caFile } : {}),
    ...(sim.cmlServerName && !env.CML_TLS_SERVER_NAME ? { CML_TLS_SERVER_NAME: sim.cmlServerName } : {}),
  };
}
