import { EC2Client } from "@aws-sdk/client-ec2";
import { PricingClient } from "@aws-sdk/client-pricing";
import type { AwsCollectorTestBed } from "@cml-telemetry/aws/testing";
import {
  type Ec2Action,
  type LifecycleCommand,
  parseEventData,
  telemetry,
  workerIdOf,
} from "@cml-telemetry/contracts";
import { awsClientConfig } from "@cml-telemetry/fleet-sim/testing";
import { publishLifecycleCommand, silentLogger } from "@cml-telemetry/messaging";
import { waitFor } from "@cml-telemetry/testing";
import { jetstream } from "@nats-io/jetstream";
import { createPricingLookup } from "../prices/pricing-lookup.ts";
import {
  startWorkerLifecycle,
  type WorkerLifecycle,
  type WorkerLifecycleOptions,
} from "../start-worker-lifecycle.ts";

/** Starts a worker-lifecycle replica against the test bed's NATS and AWS simulator (idle passes off unless asked). */
export async function startReplica(
  bed: AwsCollectorTestBed,
  overrides: Partial<WorkerLifecycleOptions> = {},
): Promise<WorkerLifecycle> {
  const pricingClient = new PricingClient({ ...awsClientConfig(bed.sim.url, "us-east-1", 2) });
  const replica = await startWorkerLifecycle({
    nc: bed.nc,
    topology: bed.topology,
    logger: silentLogger,
    ec2Clients: bed.regionClients((config) => new EC2Client(config)),
    pricing: (caller) => createPricingLookup({ client: pricingClient, caller, endpointRegion: "us-east-1" }),
    priceFileEntries: new Map(),
    policy: { mode: "off", thresholdMinutes: 30, cmlFreshSeconds: 120, snoozeMinutes: 60, windows: [] },
    idleCheckIntervalSeconds: 0,
    priceRefreshIntervalMs: 0,
    ackWaitMs: 10_000,
    ...overrides,
  });
  return bed.track({
    ...replica,
    stop: async () => {
      await replica.stop();
      pricingClient.destroy();
    },
  });
}

/** A running (or `state`) instance of the simulated fleet, visible to EC2's id lookups already. */
export function addInstance(
  bed: AwsCollectorTestBed,
  state: "running" | "stopped" = "running",
  region = "us-east-1",
  instanceType?: string,
): { workerId: string; region: string; instanceId: string } {
  const instance = bed.fleet.add({
    region,
    state,
    tags: { "cml:worker": "true" },
    ...(instanceType ? { instanceType } : {}),
  });
  bed.fleet.setRealism({ ec2ConsistencySeconds: 0 });
  return { workerId: workerIdOf(region, instance.instanceId), region, instanceId: instance.instanceId };
}

let requests = 0;

/** Publishes a lifecycle command the way the api does (requestedBy = the token's name). */
export async function requestLifecycle(
  bed: AwsCollectorTestBed,
  worker: { workerId: string; region: string; instanceId: string },
  action: LifecycleCommand["action"],
  extra: Partial<LifecycleCommand> & { correlationId?: string } = {},
): Promise<LifecycleCommand> {
  const { correlationId, ...fields } = extra;
  requests += 1;
  const command: LifecycleCommand = {
    ...worker,
    action,
    requestedBy: "alice",
    reason: "operator",
    dryRun: false,
    requestId: `req-${Date.now()}-${requests}`,
    ...fields,
  };
  await publishLifecycleCommand(jetstream(bed.nc), command, { source: "api", correlationId });
  return command;
}

/** The `ec2.action` outcomes captured for a request (a republished outcome appears once per publish). */
export function outcomesOf(bed: AwsCollectorTestBed, requestId: string): Ec2Action[] {
  return bed.capture
    .of(telemetry.ec2Action.type)
    .map((event) => parseEventData(telemetry.ec2Action, event))
    .filter((outcome) => outcome.requestId === requestId);
}

/** Waits for the first `ec2.action` outcome of a request. */
export async function outcomeOf(
  bed: AwsCollectorTestBed,
  requestId: string,
  timeoutMs = 15_000,
): Promise<Ec2Action> {
  return await waitFor(() => outcomesOf(bed, requestId)[0], {
    timeoutMs,
    what: `the outcome of ${requestId}`,
  });
}

/** Calls of an EC2 action that could change something (dry runs left out), as the simulator counted them. */
export function stateChangingCalls(bed: AwsCollectorTestBed, action: string): number {
  const calls = bed.sim.calls();
  const key = `ec2:${action}`;
  return (calls.byAction[key] ?? 0) - (calls.dryRuns[key] ?? 0);
}
