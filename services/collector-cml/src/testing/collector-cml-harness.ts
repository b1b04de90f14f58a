import { randomBytes } from "node:crypto";
import type { TofuPinStore } from "@cml-telemetry/cml-client";
import type { CertificatePinSetting } from "@cml-telemetry/config";
import {
  type CmlCloudEvent,
  commands,
  createTopology,
  decodeEvent,
  opsEvents,
  parseEventData,
  type Topology,
  telemetry,
  type WorkerState,
  workerIdOf,
} from "@cml-telemetry/contracts";
import { createCloudEventSchemaValidator } from "@cml-telemetry/contracts/testing";
import { type CmlServerPool, type CmlServerSpec, createCmlServerPool } from "@cml-telemetry/fleet-sim";
import { createOpsPublisher, openWorkersKv, provisionTopology, silentLogger } from "@cml-telemetry/messaging";
import { createLogger, type Metrics } from "@cml-telemetry/observability";
import { publishCollectCommands } from "@cml-telemetry/scheduling";
import { initialWorkerStateFixture } from "@cml-telemetry/scheduling/testing";
import { startNatsServer, uniquePrefix, waitFor } from "@cml-telemetry/testing";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, afterEach, beforeAll } from "vitest";
import { type CollectorCml, startCollectorCml } from "../start-collector-cml.ts";

/** The credentials the simulated controllers accept. */
export const HARNESS_USERNAME = "admin";
export const HARNESS_PASSWORD = "s3cret-cml-password";
export const HARNESS_TOKEN_TTL_SECONDS = 3600;
/**
 * The host the controllers' certificate names: not the address they are reached on (`127.0.0.1`), as with a
 * controller dialled by IP whose certificate was made for its DNS name. Collectors start with it as server name.
 */
export const HARNESS_CERTIFICATE_HOST = "cml-controller.lab.example";
/**
 * Every controller trickles its answers (a few bytes per write, never idle for long) unless a test says otherwise:
 * what a controller over a slow link, or one streaming a large answer, does.
 */
export const HARNESS_TRICKLE = { bytesPerWrite: 32, intervalMs: 1 } as const;

/** A simulated controller and the worker record pointing at it. */
export interface SimWorker {
  /** Pool key (= worker id). */
  readonly key: string;
  readonly state: WorkerState;
}

/** Options of {@link CollectorCmlHarness.start}. */
export interface HarnessCollectorOptions {
  readonly schedule?: boolean;
  readonly metrics?: Metrics;
  readonly withCredentials?: boolean;
  readonly directoryCheckMs?: number;
  /** TLS settings instead of the default (trust the pool's certificate, server name {@link HARNESS_CERTIFICATE_HOST}). */
  readonly tls?: {
    readonly caPem?: string;
    readonly serverName?: string;
    readonly pin?: CertificatePinSetting;
  };
  readonly pinStore?: TofuPinStore;
  /** `CML_TIMEOUT_SECONDS` (default 3). */
  readonly timeoutSeconds?: number;
  readonly intervalSeconds?: number;
  readonly now?: () => number;
}

/** A real nats-server, simulated CML controllers over HTTPS, and collectors started against them. */
export interface CollectorCmlHarness {
  readonly nc: NatsConnection;
  readonly topology: Topology;
  readonly kv: KV;
  readonly pool: CmlServerPool;
  /** Every message on `cml.cmd.collect.cml.>`, `cml.telemetry.cml.>` and `cml.ops.collector-cml.job`. */
  readonly received: CmlCloudEvent<unknown>[];
  /** Everything the collectors logged (JSON lines). */
  logText(): string;
  /** Moves the controllers' clock (token expiry). */
  advanceClock(ms: number): void;
  start(options?: HarnessCollectorOptions): Promise<CollectorCml>;
  /** Starts a controller (trickling its answers unless `spec` says otherwise) and writes a worker record (RUNNING, its endpoint) into KV. */
  addWorker(spec?: Partial<CmlServerSpec>, state?: Partial<WorkerState>): Promise<SimWorker>;
  putWorker(state: WorkerState): Promise<void>;
  waitForDirectory(collector: CollectorCml, state: WorkerState): Promise<void>;
  telemetryOf(workerId: string): CmlCloudEvent<unknown>[];
  /** Publishes one collect command per worker (a new slot) and returns each worker's next telemetry message. */
  cycle(
    workers: readonly SimWorker[],
    options?: { correlationId?: string; refresh?: boolean },
  ): Promise<CmlCloudEvent<unknown>[]>;
  /** Publishes one scheduled command per worker without waiting for telemetry. */
  publishCommands(workers: readonly SimWorker[]): Promise<void>;
  /** Waits until the `collector-cml` consumer has nothing pending or unacknowledged. */
  waitForIdleConsumer(): Promise<void>;
  /** Messages that fail the CloudEvents schema or their contract, as text (empty when all are valid). */
  invalidMessages(): string[];
  stopCollectors(): Promise<void>;
  close(): Promise<void>;
}

/** The message, or an error saying one was expected. */
export function present(event: CmlCloudEvent<unknown> | undefined): CmlCloudEvent<unknown> {
  if (event === undefined) throw new Error("expected a telemetry message");
  return event;
}

/** The data of a `cml.metrics` message (throws when it is something else). */
export const metricsData = (event: CmlCloudEvent<unknown> | undefined) =>
  parseEventData(telemetry.cmlMetrics, present(event));

/** The data of a `cml.failed` message (throws when it is something else). */
export const failedData = (event: CmlCloudEvent<unknown> | undefined) =>
  parseEventData(telemetry.cmlFailed, present(event));

const PUBLISHED_DEFINITIONS = [
  commands.collect,
  telemetry.cmlMetrics,
  telemetry.cmlFailed,
  opsEvents.jobStarted,
  opsEvents.jobCompleted,
  opsEvents.jobFailed,
];

/** Starts the harness (one per test file). */
export async function startCollectorCmlHarness(): Promise<CollectorCmlHarness> {
  const server = await startNatsServer();
  const nc = await connect({ servers: server.url });
  const topology = createTopology({ namePrefix: uniquePrefix() });
  await provisionTopology(nc, topology, { logger: silentLogger });
  const kv = await openWorkersKv(nc, topology);
  let clockOffsetMs = 0;
  const pool = await createCmlServerPool({
    username: HARNESS_USERNAME,
    password: HARNESS_PASSWORD,
    tokenTtlSeconds: HARNESS_TOKEN_TTL_SECONDS,
    now: () => Date.now() + clockOffsetMs,
    certificateHost: HARNESS_CERTIFICATE_HOST,
  });
  const ops = createOpsPublisher({ nc, service: "collector-cml", logger: silentLogger });
  const received: CmlCloudEvent<unknown>[] = [];
  const subscriptions = ["cml.cmd.collect.cml.>", "cml.telemetry.cml.>", "cml.ops.collector-cml.job"].map(
    (subject) => {
      const subscription = nc.subscribe(subject);
      void (async () => {
        for await (const message of subscription) received.push(decodeEvent(message.data));
      })();
      return subscription;
    },
  );
  const running: CollectorCml[] = [];
  const validateCloudEvent = createCloudEventSchemaValidator();
  let logText = "";
  let slot = 1_764_072_000;

  const logger = createLogger({
    service: "collector-cml",
    level: "trace",
    destination: {
      write(line: string) {
        logText += line;
      },
    },
  });

  const putWorker = async (state: WorkerState): Promise<void> => {
    await kv.put(state.id, JSON.stringify({ state, outbox: [], recentInputIds: [] }));
  };
  const telemetryOf = (workerId: string) =>
    received.filter((event) => event.subject === workerId && event.type.startsWith("io.cml-telemetry.cml."));

  const publishCommands = async (
    workers: readonly SimWorker[],
    options: { correlationId?: string; refresh?: boolean } = {},
  ): Promise<void> => {
    slot += 60;
    await publishCollectCommands({
      js: jetstream(nc),
      service: "collector-cml",
      source: "cml",
      targets: workers.map(({ state }) => ({
        workerId: state.id,
        region: state.region,
        instanceId: state.instanceId,
        ...(state.httpsEndpoint ? { httpsEndpoint: state.httpsEndpoint } : {}),
      })),
      reason: options.refresh ? "refresh" : "schedule",
      slot,
      ...(options.correlationId === undefined ? {} : { correlationId: options.correlationId }),
    });
  };

  return {
    nc,
    topology,
    kv,
    pool,
    received,
    logText: () => logText,
    advanceClock(ms) {
      clockOffsetMs += ms;
    },

    async start(options = {}) {
      const collector = await startCollectorCml({
        nc,
        topology,
        logger,
        ops,
        ...(options.metrics === undefined ? {} : { meter: options.metrics.meter }),
        intervalSeconds: options.intervalSeconds ?? 3600,
        schedule: options.schedule ?? false,
        ...(options.directoryCheckMs === undefined ? {} : { directoryCheckMs: options.directoryCheckMs }),
        ...(options.pinStore === undefined ? {} : { pinStore: options.pinStore }),
        ...(options.now === undefined ? {} : { now: options.now }),
        cml: {
          ...(options.withCredentials === false
            ? {}
            : { username: HARNESS_USERNAME, password: HARNESS_PASSWORD }),
          verifyTls: true,
          ...(options.tls ?? { caPem: pool.caCertPem, serverName: HARNESS_CERTIFICATE_HOST }),
          timeoutSeconds: options.timeoutSeconds ?? 3,
          concurrency: 8,
        },
      });
      running.push(collector);
      return collector;
    },

    async addWorker(spec = {}, state = {}) {
      const instanceId = `i-${randomBytes(9).toString("hex").slice(0, 17)}`;
      const id = workerIdOf("us-east-1", instanceId);
      const { endpoint } = await pool.add(id, { trickle: HARNESS_TRICKLE, ...spec });
      const worker: WorkerState = {
        ...initialWorkerStateFixture(id),
        instanceId,
        status: "RUNNING",
        httpsEndpoint: endpoint,
        ...state,
      };
      await putWorker(worker);
      return { key: id, state: worker };
    },

    putWorker,

    async waitForDirectory(collector, state) {
      await waitFor(
        () => {
          const known = collector.directory.get(state.id);
          return known?.status === state.status && known.httpsEndpoint === state.httpsEndpoint;
        },
        { what: `directory to show ${state.id}` },
      );
    },

    telemetryOf,

    async cycle(workers, options = {}) {
      const before = new Map(workers.map((worker) => [worker.key, telemetryOf(worker.key).length]));
      await publishCommands(workers, options);
      const latest = await waitFor(
        () => {
          const next = workers.map((worker) => telemetryOf(worker.key)[before.get(worker.key) ?? 0]);
          return next.every((event) => event !== undefined) ? next : undefined;
        },
        { what: "telemetry of every worker", timeoutMs: 15_000 },
      );
      return latest.map(present);
    },

    publishCommands: (workers) => publishCommands(workers),

    async waitForIdleConsumer() {
      const jsm = await jetstreamManager(nc);
      await waitFor(
        async () => {
          const info = await jsm.consumers.info(topology.streams.commands.name, "collector-cml");
          return info.num_pending === 0 && info.num_ack_pending === 0;
        },
        { what: "collector-cml consumer to be idle" },
      );
    },

    invalidMessages() {
      const problems: string[] = [];
      for (const event of received) {
        const schemaError = validateCloudEvent(JSON.parse(JSON.stringify(event)) as unknown);
        if (schemaError !== undefined) problems.push(`${event.id} ${event.type}: ${schemaError}`);
        const definition = PUBLISHED_DEFINITIONS.find((candidate) => candidate.type === event.type);
        if (definition === undefined) problems.push(`${event.id}: unexpected type ${event.type}`);
        else if (!definition.schema.safeParse(event.data).success) {
          problems.push(`${event.id} ${event.type}: data does not match the contract`);
        }
      }
      return problems;
    },

    async stopCollectors() {
      await Promise.all(running.splice(0).map((collector) => collector.stop()));
    },

    async close() {
      await Promise.all(running.splice(0).map((collector) => collector.stop()));
      for (const subscription of subscriptions) subscription.unsubscribe();
      await ops.flush();
      await pool.close();
      await nc.drain();
      await server.stop();
    },
  };
}

/**
 * One harness for the calling test file: started before its tests, its collectors stopped after each test, closed
 * after all. The returned object stands for the harness once it has started.
 * @example const harness = useCollectorCmlHarness();
 */
export function useCollectorCmlHarness(): CollectorCmlHarness {
  let current: CollectorCmlHarness | undefined;
  beforeAll(async () => {
    current = await startCollectorCmlHarness();
  });
  afterEach(async () => {
    await current?.stopCollectors();
  });
  afterAll(async () => {
    await current?.close();
  });
  return new Proxy({} as CollectorCmlHarness, {
    get(_target, property) {
      if (current === undefined) throw new Error("the collector-cml harness is used before it started");
      return Reflect.get(current, property);
    },
  });
}
