import { z } from "zod";

/** Configuration of the runnable fleet simulator (`src/main.ts`). */
export interface FleetSimConfig {
  port: number;
  host: string;
  workers: number;
  untagged: number;
  regions: string[];
  seed: string;
  workerTagKey: string;
  cml: boolean;
  cmlUsername: string;
  cmlPassword: string;
  /** The host the CML servers' certificate names (they are reached on 127.0.0.1). */
  cmlCertificateHost: string;
  dataDir: string;
  bootSeconds: number;
  metricLagSeconds: number;
  /** Seconds between churn steps (stop a worker, later start it); 0 disables. */
  churnSeconds: number;
  /** Seconds after the start at which one worker's running labs stop (a class ends); 0 disables. */
  labsEndSeconds: number;
  /** Which CML controllers have labs; undefined: a varied 0–5 labs each. */
  labs: { oneIn: number; count: number; running: number } | undefined;
}

const flag = z
  .enum(["on", "off", "true", "false", "1", "0", "yes", "no"])
  .transform((value) => ["on", "true", "1", "yes"].includes(value));
const count = (fallback: number, max: number) => z.coerce.number().int().min(0).max(max).default(fallback);

const schema = z.object({
  FLEET_SIM_PORT: z.coerce.number().int().min(0).max(65_535).default(4566),
  FLEET_SIM_HOST: z.string().min(1).default("127.0.0.1"),
  FLEET_SIM_WORKERS: count(20, 100_000),
  FLEET_SIM_UNTAGGED: count(1, 100_000),
  FLEET_SIM_REGIONS: z
    .string()
    .default("us-east-1,eu-west-1")
    .transform((value) =>
      value
        .split(",")
        .map((r) => r.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, "not an AWS region name")).min(1)),
  FLEET_SIM_SEED: z.string().min(1).default("1"),
  FLEET_SIM_WORKER_TAG: z.string().min(1).optional(),
  CML_WORKER_TAG: z.string().min(1).default("cml:worker"),
  FLEET_SIM_CML: flag.default(true),
  FLEET_SIM_CML_USERNAME: z.string().min(1).default("admin"),
  FLEET_SIM_CML_PASSWORD: z.string().min(1).default("fleet-sim-password"),
  FLEET_SIM_CML_CERT_HOST: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i, "not a DNS host name")
    .default("cml-controller.fleet-sim.example"),
  FLEET_SIM_DATA_DIR: z.string().min(1).default(".data/fleet-sim"),
  FLEET_SIM_BOOT_SECONDS: count(60, 86_400),
  FLEET_SIM_METRIC_LAG_SECONDS: count(60, 3_600),
  FLEET_SIM_CHURN_SECONDS: count(600, 86_400),
  FLEET_SIM_LABS_END_SECONDS: count(0, 86_400),
  FLEET_SIM_LABS_ONE_IN: count(0, 100_000),
  FLEET_SIM_LABS_PER_WORKER: count(8, 1_000),
  FLEET_SIM_RUNNING_LABS_PER_WORKER: count(2, 1_000),
});

/** Thrown when the environment holds an invalid value; the message names every bad variable. */
export class FleetSimConfigError extends Error {
  readonly code = "INVALID_CONFIG";
}

/**
 * Reads the fleet simulator's configuration from environment variables.
 * @throws FleetSimConfigError listing every invalid variable.
 */
export function parseFleetSimEnv(env: Record<string, string | undefined>): FleetSimConfig {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ""),
  );
  const result = schema.safeParse(present);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new FleetSimConfigError(`Invalid fleet simulator configuration:\n  ${problems.join("\n  ")}`);
  }
  const e = result.data;
  return {
    port: e.FLEET_SIM_PORT,
    host: e.FLEET_SIM_HOST,
    workers: e.FLEET_SIM_WORKERS,
    untagged: e.FLEET_SIM_UNTAGGED,
    regions: e.FLEET_SIM_REGIONS,
    seed: e.FLEET_SIM_SEED,
    workerTagKey: e.FLEET_SIM_WORKER_TAG ?? e.CML_WORKER_TAG,
    cml: e.FLEET_SIM_CML,
    cmlUsername: e.FLEET_SIM_CML_USERNAME,
    cmlPassword: e.FLEET_SIM_CML_PASSWORD,
    cmlCertificateHost: e.FLEET_SIM_CML_CERT_HOST,
    dataDir: e.FLEET_SIM_DATA_DIR,
    bootSeconds: e.FLEET_SIM_BOOT_SECONDS,
    metricLagSeconds: e.FLEET_SIM_METRIC_LAG_SECONDS,
    churnSeconds: e.FLEET_SIM_CHURN_SECONDS,
    labsEndSeconds: e.FLEET_SIM_LABS_END_SECONDS,
    labs:
      e.FLEET_SIM_LABS_ONE_IN === 0
        ? undefined
        : {
            oneIn: e.FLEET_SIM_LABS_ONE_IN,
            count: e.FLEET_SIM_LABS_PER_WORKER,
            running: Math.min(e.FLEET_SIM_RUNNING_LABS_PER_WORKER, e.FLEET_SIM_LABS_PER_WORKER),
          },
  };
}
