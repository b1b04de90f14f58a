import { type AwsSimulator, startAwsSimulator } from "../aws/aws-simulator.ts";
import type { CallCounts } from "../aws/call-counters.ts";
import type { FaultInjector } from "../aws/fault-injector.ts";
import { type CmlServerPool, type CmlServerSpec, createCmlServerPool } from "../cml/index.ts";
import { createControlApi } from "../control/control-api.ts";
import { createFleetModel, type FleetModel, type FleetModelOptions } from "../model/fleet-model.ts";
import { createClassEnd } from "./class-end.ts";
import { bindCmlToFleet, type CmlFleetBinding, type CmlLabProfile } from "./cml-fleet-binding.ts";
import { createFleetChurn } from "./fleet-churn.ts";

/** Options of {@link startFleetSimulator}. */
export interface FleetSimulatorOptions {
  /** An existing fleet, or options to create one. */
  fleet?: FleetModel | FleetModelOptions;
  /** Port of the AWS + control server (default 0: any free port). */
  port?: number;
  host?: string;
  /** Simulated CML servers for instances with `cml`; omitted or false: none. */
  cml?:
    | false
    | {
        username: string;
        password: string;
        tokenTtlSeconds?: number;
        /** At most this many CML servers (one HTTPS port each). */
        maxServers?: number;
        /** The host the servers' certificate names instead of their address (see `CmlServerPoolOptions`). */
        certificateHost?: string;
        /** Applied to every server started (e.g. `trickle`, `labTiles`), under later control-API changes. */
        spec?: Partial<CmlServerSpec>;
        /** Which controllers have labs, and how many (default: a varied 0–5 labs per controller). */
        labs?: CmlLabProfile;
      };
  /** How often lifecycle transitions and CML modes are brought up to date (default 1000 ms). */
  tickMs?: number;
  /** Stop one running worker, later start it again, every this many ms (default 0: no churn). */
  churnEveryMs?: number;
  /**
   * With CML servers: the running labs of one worker stop this long (on the fleet's clock) after the start, as when a
   * class ends, so that worker goes idle (default 0: never).
   */
  labsEndAfterMs?: number;
  /** Structured log sink (event name + fields); default: silent. */
  log?: (event: string, fields: Record<string, unknown>) => void;
}

/** A running fleet simulator: fake EC2 + CloudWatch + control API on one port, plus CML servers. */
export interface FleetSimulator {
  /** Base URL of the AWS endpoints and of the control API (`/_sim/...`). */
  readonly url: string;
  readonly fleet: FleetModel;
  readonly aws: AwsSimulator;
  readonly faults: FaultInjector;
  /** The CML server pool, when CML servers are enabled. */
  readonly cml: CmlServerPool | undefined;
  /** PEM of the certificate every simulated CML server serves (trust it as CA), when enabled. */
  readonly caCertPem: string | undefined;
  calls(): { aws: CallCounts; cml: Record<string, number> | null };
  resetCalls(): void;
  /** Applies due lifecycle transitions and waits until CML servers follow them. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the composed fleet simulator used by `npm start`, tests and benchmarks.
 * @example
 * const sim = await startFleetSimulator({ fleet: { workers: 20, untagged: 1 }, cml: { username: "admin", password: "pw" } });
 * // AWS_ENDPOINT_URL_EC2 = AWS_ENDPOINT_URL_CLOUDWATCH = sim.url
 */
export async function startFleetSimulator(options: FleetSimulatorOptions = {}): Promise<FleetSimulator> {
  const fleet = isFleetModel(options.fleet) ? options.fleet : createFleetModel(options.fleet ?? {});
  const log = options.log ?? (() => undefined);
  let pool: CmlServerPool | undefined;
  let binding: CmlFleetBinding | undefined;
  if (options.cml) {
    pool = await createCmlServerPool({
      username: options.cml.username,
      password: options.cml.password,
      tokenTtlSeconds: options.cml.tokenTtlSeconds,
      now: fleet.now,
      certificateHost: options.cml.certificateHost,
    });
    binding = bindCmlToFleet({
      fleet,
      pool,
      maxServers: options.cml.maxServers,
      spec: options.cml.spec,
      labs: options.cml.labs,
      onError: (error, instanceId) => log("fleet-sim.cml.error", { instanceId, error: String(error) }),
    });
    await binding.start();
  }
  const aws = await startAwsSimulator({
    fleet,
    port: options.port,
    host: options.host,
    control: createControlApi(binding),
  });
  const unsubscribe = fleet.onChange((change) =>
    log("fleet-sim.instance", {
      change: change.type,
      instanceId: change.instance.instanceId,
      state: change.instance.state,
    }),
  );
  const classEnd =
    pool !== undefined && (options.labsEndAfterMs ?? 0) > 0
      ? createClassEnd(fleet, pool, options.labsEndAfterMs ?? 0)
      : undefined;
  const settle = async (): Promise<void> => {
    fleet.advance();
    const ended = classEnd?.check();
    if (ended) log("fleet-sim.labs-ended", ended);
    await binding?.sync();
    await binding?.idle();
  };
  const timer = setInterval(() => {
    settle().catch((error: unknown) => log("fleet-sim.tick.error", { error: String(error) }));
  }, options.tickMs ?? 1000);
  timer.unref();
  const churn = createFleetChurn(fleet);
  const churnTimer =
    (options.churnEveryMs ?? 0) > 0
      ? setInterval(() => {
          const step = churn.step();
          if (step) log("fleet-sim.churn", step);
        }, options.churnEveryMs)
      : undefined;
  churnTimer?.unref();

  return {
    url: aws.url,
    fleet,
    aws,
    faults: aws.faults,
    cml: pool,
    caCertPem: pool?.caCertPem,
    calls: () => ({ aws: aws.calls(), cml: pool?.calls() ?? null }),
    resetCalls: () => {
      aws.resetCalls();
      pool?.resetCalls();
    },
    settle,
    close: async () => {
      clearInterval(timer);
      clearInterval(churnTimer);
      unsubscribe();
      binding?.stop();
      await binding?.idle();
      await aws.close();
      await pool?.close();
    },
  };
}

function isFleetModel(value: FleetModel | FleetModelOptions | undefined): value is FleetModel {
  return (
    typeof value === "object" &&
    value !== null &&
    "instances" in value &&
    typeof value.instances === "function"
  );
}
