import {
  type CmlCloudEvent,
  createTopology,
  definitionOfType,
  parseEventData,
  type Topology,
} from "@cml-telemetry/contracts";
import {
  type AwsSimulator,
  createFleetModel,
  type FleetModel,
  startAwsSimulator,
} from "@cml-telemetry/fleet-sim";
import { awsClientConfig } from "@cml-telemetry/fleet-sim/testing";
import { resetTopology } from "@cml-telemetry/messaging/testing";
import { captureTelemetry, type TelemetryCapture } from "@cml-telemetry/scheduling/testing";
import { startNatsServer, type TestNatsServer, uniquePrefix } from "@cml-telemetry/testing";
import type { KV } from "@nats-io/kv";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, afterEach, beforeAll, beforeEach, expect } from "vitest";

/** Options of {@link useAwsCollectorTestBed}. */
export interface AwsCollectorTestBedOptions {
  /** Regions of the simulated fleet and of the SDK clients. */
  readonly regions: readonly string[];
  /** Base clock of the simulated fleet (default `Date.now`); each test's `fleet.clock` starts on it. */
  readonly fleetNow?: () => number;
  /** Runs after the per-test reset, before the test. */
  readonly onReset?: () => void;
  /** Extra check of every captured event after each test (beside the schema and catalogue checks). */
  readonly checkEvent?: (event: CmlCloudEvent<unknown>) => void;
}

/** SDK client settings against the AWS simulator (fake credentials, adaptive retries). */
export type SimulatedAwsClientConfig = ReturnType<typeof awsClientConfig> & {
  readonly retryMode: "adaptive";
};

/** What an AWS collector's integration tests share; the fields are valid inside tests and hooks. */
export interface AwsCollectorTestBed {
  readonly nc: NatsConnection;
  readonly topology: Topology;
  /** A fresh fleet per test, with every realism mode on; `fleet.clock.advance()` moves simulated time. */
  readonly fleet: FleetModel;
  /** The AWS simulator of the current test's fleet. */
  readonly sim: AwsSimulator;
  /** The simulated clock (epoch ms) of the current test: give it to the collector under test as its `now`. */
  readonly now: () => number;
  /** KV `cml_workers`, fresh for each test. */
  readonly kv: KV;
  /** Every `cml.>` message of the current test. */
  readonly capture: TelemetryCapture;
  /** Empties the streams and the KV bucket again (inside a test); `kv` is the new bucket. */
  resetTopology(): Promise<KV>;
  /** One SDK client per region against the simulator, destroyed after the test. */
  regionClients<Client extends { destroy(): void }>(
    create: (config: SimulatedAwsClientConfig) => Client,
    maxAttempts?: number,
  ): Map<string, Client>;
  /** Registers a started collector so it is stopped after the test. */
  track<Collector extends { stop(): Promise<void> }>(collector: Collector): Collector;
  /** Stops the collectors registered so far. */
  stopCollectors(): Promise<void>;
}

/**
 * Registers the vitest hooks of an AWS collector's integration test file and returns its test bed: one real
 * nats-server and topology per file; per test, empty streams, a fresh empty fleet (realism modes on, its own clock)
 * behind a fresh AWS simulator, and a fresh telemetry capture. After each test the collectors and clients are stopped
 * and every captured message must pass the CloudEvents schema and its catalogue definition.
 */
export function useAwsCollectorTestBed(options: AwsCollectorTestBedOptions): AwsCollectorTestBed {
  let server: TestNatsServer | undefined;
  let nc: NatsConnection | undefined;
  let topology: Topology | undefined;
  let fleet: FleetModel | undefined;
  let sim: AwsSimulator | undefined;
  let kv: KV | undefined;
  let capture: TelemetryCapture | undefined;
  const running: Array<{ stop(): Promise<void> }> = [];
  const clients: Array<{ destroy(): void }> = [];

  function ready<T>(value: T | undefined, what: string): T {
    if (value === undefined) throw new Error(`the collector test bed has no ${what} outside its tests`);
    return value;
  }

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
    topology = createTopology({ namePrefix: uniquePrefix() });
  });

  beforeEach(async () => {
    kv = await resetTopology(ready(nc, "connection"), ready(topology, "topology"));
    options.onReset?.();
    fleet = createFleetModel({ regions: options.regions, now: options.fleetNow });
    sim = await startAwsSimulator({ fleet });
    capture = captureTelemetry(ready(nc, "connection"), "cml.>");
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((collector) => collector.stop()));
    for (const client of clients.splice(0)) client.destroy();
    await sim?.close();
    sim = undefined;
    const current = ready(capture, "capture");
    current.stop();
    expect(current.schemaErrors).toEqual([]);
    for (const event of current.events) {
      const definition = definitionOfType(event.type);
      expect(definition, event.type).toBeDefined();
      if (definition) parseEventData(definition, event);
      options.checkEvent?.(event);
    }
  });

  afterAll(async () => {
    await nc?.drain();
    await server?.stop();
  });

  return {
    get nc() {
      return ready(nc, "connection");
    },
    get topology() {
      return ready(topology, "topology");
    },
    get fleet() {
      return ready(fleet, "fleet");
    },
    get sim() {
      return ready(sim, "simulator");
    },
    now: () => ready(fleet, "fleet").now(),
    get kv() {
      return ready(kv, "KV bucket");
    },
    get capture() {
      return ready(capture, "capture");
    },
    async resetTopology() {
      kv = await resetTopology(ready(nc, "connection"), ready(topology, "topology"));
      return kv;
    },
    regionClients(create, maxAttempts = 2) {
      const url = ready(sim, "simulator").url;
      return new Map(
        options.regions.map((region) => {
          const client = create({ ...awsClientConfig(url, region, maxAttempts), retryMode: "adaptive" });
          clients.push(client);
          return [region, client];
        }),
      );
    },
    track(collector) {
      running.push(collector);
      return collector;
    },
    async stopCollectors() {
      await Promise.all(running.splice(0).map((collector) => collector.stop()));
    },
  };
}
