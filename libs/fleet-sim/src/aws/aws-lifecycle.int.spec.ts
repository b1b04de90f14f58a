import {
  DescribeInstancesCommand,
  EC2Client,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import { GetProductsCommand, type GetProductsCommandInput, PricingClient } from "@aws-sdk/client-pricing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createFleetModel, type FleetModel } from "../model/fleet-model.ts";
import { awsClientConfig } from "../testing/aws-client-config.ts";
import { createManualClock, type ManualClock } from "../testing/manual-clock.ts";
import { type AwsSimulator, startAwsSimulator } from "./aws-simulator.ts";
import { simulatedLinuxPrice } from "./pricing/price-catalog.ts";

let clock: ManualClock;
let fleet: FleetModel;
let sim: AwsSimulator;
const ec2 = (region = "us-east-1") => new EC2Client(awsClientConfig(sim.url, region, 1));
const pricing = (maxAttempts = 1) => new PricingClient(awsClientConfig(sim.url, "us-east-1", maxAttempts));

async function failure(
  promise: Promise<unknown>,
): Promise<{ name: string; message: string; status?: number }> {
  try {
    await promise;
  } catch (error) {
    const failed = error as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: failed.name, message: failed.message, status: failed.$metadata?.httpStatusCode };
  }
  throw new Error("expected the call to fail");
}

function add(state: "running" | "stopped" | "pending" = "running", region = "us-east-1"): string {
  return fleet.add({ region, state, tags: { "cml:worker": "true" } }).instanceId;
}

beforeAll(async () => {
  clock = createManualClock();
  fleet = createFleetModel({ now: clock.now, realism: { ec2ConsistencySeconds: 0 } });
  sim = await startAwsSimulator({ fleet });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.faults.clear();
  sim.resetCalls();
});

describe("EC2 state changes (real @aws-sdk/client-ec2)", () => {
  it("stops a running instance through stopping, for 10–40 s, and reports both states", async () => {
    const id = add();
    const out = await ec2().send(new StopInstancesCommand({ InstanceIds: [id] }));
    expect(out.StoppingInstances).toEqual([
      {
        InstanceId: id,
        CurrentState: { Code: 64, Name: "stopping" },
        PreviousState: { Code: 16, Name: "running" },
      },
    ]);
    const settlesAt = fleet.get(id).transitionAt ?? 0;
    expect(settlesAt - clock.now()).toBeGreaterThanOrEqual(10_000);
    expect(settlesAt - clock.now()).toBeLessThanOrEqual(40_000);
    clock.advance(settlesAt - clock.now());
    const described = await ec2().send(new DescribeInstancesCommand({ InstanceIds: [id] }));
    expect(described.Reservations?.[0]?.Instances?.[0]?.State?.Name).toBe("stopped");
    expect(sim.calls().byAction["ec2:StopInstances"]).toBe(1);
  });

  it("starts a stopped instance through pending for 20–60 s", async () => {
    const id = add("stopped");
    const out = await ec2().send(new StartInstancesCommand({ InstanceIds: [id] }));
    expect(out.StartingInstances?.[0]).toMatchObject({
      CurrentState: { Name: "pending" },
      PreviousState: { Name: "stopped" },
    });
    const waitMs = (fleet.get(id).transitionAt ?? 0) - clock.now();
    expect(waitMs).toBeGreaterThanOrEqual(20_000);
    expect(waitMs).toBeLessThanOrEqual(60_000);
    clock.advance(waitMs);
    expect(fleet.get(id).state).toBe("running");
  });

  it("takes different, seeded times for different instances", () => {
    const waits = new Set<number>();
    for (let i = 0; i < 12; i++) {
      const id = add();
      fleet.applyStateChange(id, "stop");
      waits.add((fleet.get(id).transitionAt ?? 0) - clock.now());
    }
    expect(waits.size).toBeGreaterThan(3);
  });

  it("terminates through shutting-down, and terminating again changes nothing", async () => {
    const id = add("stopped");
    const first = await ec2().send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    expect(first.TerminatingInstances?.[0]).toMatchObject({
      CurrentState: { Code: 32, Name: "shutting-down" },
      PreviousState: { Code: 80, Name: "stopped" },
    });
    clock.advance(60_000);
    const again = await ec2().send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    expect(again.TerminatingInstances?.[0]).toMatchObject({
      CurrentState: { Name: "terminated" },
      PreviousState: { Name: "terminated" },
    });
  });

  it("reports an instance already in the target state as it is, changing nothing", async () => {
    const running = add();
    const out = await ec2().send(new StartInstancesCommand({ InstanceIds: [running] }));
    expect(out.StartingInstances?.[0]).toMatchObject({
      CurrentState: { Name: "running" },
      PreviousState: { Name: "running" },
    });
    expect(fleet.get(running).transitionAt).toBeNull();
  });

  it("refuses a change the state does not allow with IncorrectInstanceState, changing nothing", async () => {
    const stopping = add();
    fleet.applyStateChange(stopping, "stop");
    const start = await failure(ec2().send(new StartInstancesCommand({ InstanceIds: [stopping] })));
    expect(start).toMatchObject({ name: "IncorrectInstanceState", status: 400 });
    expect(start.message).toContain("is not in a state from which it can be started");
    const pending = add("pending");
    const stop = await failure(ec2().send(new StopInstancesCommand({ InstanceIds: [pending] })));
    expect(stop.name).toBe("IncorrectInstanceState");
    // One instance in the wrong state fails the whole call: the other is not stopped either.
    const other = add();
    await failure(ec2().send(new StopInstancesCommand({ InstanceIds: [other, pending] })));
    expect(fleet.get(other).state).toBe("running");
  });

  it("answers DryRun with DryRunOperation (412) and changes nothing, or UnauthorizedOperation under a deny", async () => {
    const id = add();
    const dry = await failure(ec2().send(new StopInstancesCommand({ InstanceIds: [id], DryRun: true })));
    expect(dry).toMatchObject({ name: "DryRunOperation", status: 412 });
    expect(fleet.get(id).state).toBe("running");
    // DryRun answers the permission, not the instance: an id EC2 does not know gets the same answer.
    const unknown = await failure(
      ec2().send(new TerminateInstancesCommand({ InstanceIds: ["i-0000000000000000f"], DryRun: true })),
    );
    expect(unknown.name).toBe("DryRunOperation");
    sim.faults.add({ service: "ec2", action: "StopInstances", kind: "deny" });
    const denied = await failure(ec2().send(new StopInstancesCommand({ InstanceIds: [id], DryRun: true })));
    expect(denied).toMatchObject({ name: "UnauthorizedOperation", status: 403 });
    expect(denied.message).toContain("ec2:StopInstances");
    expect(sim.calls().byAction["ec2:StopInstances"]).toBe(2);
    expect(sim.calls().dryRuns["ec2:StopInstances"]).toBe(2);
    expect(sim.calls().dryRuns["ec2:TerminateInstances"]).toBe(1);
    const describe = await failure(
      ec2().send(new DescribeInstancesCommand({ InstanceIds: [id], DryRun: true })),
    );
    expect(describe.name).toBe("DryRunOperation");
  });

  it("fails unknown and malformed ids like EC2, and throttles through the fault injector", async () => {
    expect(
      (await failure(ec2().send(new StopInstancesCommand({ InstanceIds: ["i-0000000000000000f"] })))).name,
    ).toBe("InvalidInstanceID.NotFound");
    expect((await failure(ec2().send(new StopInstancesCommand({ InstanceIds: ["i-xyz"] })))).name).toBe(
      "InvalidInstanceID.Malformed",
    );
    // Another region does not know the instance.
    const id = add();
    expect((await failure(ec2("eu-west-1").send(new StopInstancesCommand({ InstanceIds: [id] })))).name).toBe(
      "InvalidInstanceID.NotFound",
    );
    sim.faults.add({ service: "ec2", action: "StartInstances", kind: "throttle", count: 1 });
    const throttled = await failure(ec2().send(new StartInstancesCommand({ InstanceIds: [id] })));
    expect(throttled).toMatchObject({ name: "RequestLimitExceeded", status: 503 });
    expect(sim.calls().errors.RequestLimitExceeded).toBe(1);
  });
});

describe("Price List Query API (real @aws-sdk/client-pricing)", () => {
  /** The attributes that leave one product: the on-demand Linux price of a type in a region. */
  const linuxOnDemand = (region: string, instanceType: string): GetProductsCommandInput => ({
    ServiceCode: "AmazonEC2",
    FormatVersion: "aws_v1",
    Filters: Object.entries({
      instanceType,
      regionCode: region,
      operatingSystem: "Linux",
      tenancy: "Shared",
      preInstalledSw: "NA",
      capacitystatus: "Used",
    }).map(([Field, Value]) => ({ Type: "TERM_MATCH", Field, Value })),
  });

  it("answers one product per exact filter set, as a JSON document in a string, with its OnDemand price", async () => {
    const out = await pricing().send(new GetProductsCommand(linuxOnDemand("us-east-1", "m5zn.metal")));
    expect(out.FormatVersion).toBe("aws_v1");
    expect(out.PriceList).toHaveLength(1);
    // On the wire each entry is a string holding a JSON document; the SDK hands it over as a LazyJsonString.
    expect(String(out.PriceList?.[0])).toMatch(/^\{"product":\{/);
    const document = JSON.parse(String(out.PriceList?.[0] ?? "{}"));
    expect(document.product.attributes).toMatchObject({
      instanceType: "m5zn.metal",
      regionCode: "us-east-1",
      location: "US East (N. Virginia)",
      operatingSystem: "Linux",
      capacitystatus: "Used",
    });
    const term = Object.values(document.terms.OnDemand)[0] as { priceDimensions: Record<string, unknown> };
    const dimension = Object.values(term.priceDimensions)[0] as {
      unit: string;
      pricePerUnit: { USD: string };
    };
    expect(dimension.unit).toBe("Hrs");
    expect(Number(dimension.pricePerUnit.USD)).toBe(simulatedLinuxPrice("us-east-1", "m5zn.metal"));
    expect(Object.keys(document.terms)).toEqual(["OnDemand", "Reserved"]);
  });

  it("has several products for a type and region (other OS, tenancy, software, reservations at $0)", async () => {
    const out = await pricing().send(
      new GetProductsCommand({
        ServiceCode: "AmazonEC2",
        Filters: [
          { Type: "TERM_MATCH", Field: "instanceType", Value: "c5n.metal" },
          { Type: "TERM_MATCH", Field: "regionCode", Value: "eu-west-1" },
        ],
      }),
    );
    const products = ((out.PriceList ?? []) as unknown[]).map(
      (text) => JSON.parse(String(text)).product.attributes as Record<string, string>,
    );
    expect(products.length).toBeGreaterThan(4);
    expect(new Set(products.map((attributes) => attributes.capacitystatus))).toEqual(
      new Set(["Used", "AllocatedCapacityReservation", "UnusedCapacityReservation"]),
    );
  });

  it("pages with MaxResults / NextToken and has nothing for a type the region does not offer", async () => {
    const first = await pricing().send(
      new GetProductsCommand({
        ServiceCode: "AmazonEC2",
        MaxResults: 3,
        Filters: [{ Type: "TERM_MATCH", Field: "regionCode", Value: "us-east-1" }],
      }),
    );
    expect(first.PriceList).toHaveLength(3);
    expect(first.NextToken).toBeDefined();
    const second = await pricing().send(
      new GetProductsCommand({
        ServiceCode: "AmazonEC2",
        MaxResults: 3,
        NextToken: first.NextToken,
        Filters: [{ Type: "TERM_MATCH", Field: "regionCode", Value: "us-east-1" }],
      }),
    );
    expect(second.PriceList?.[0]).not.toBe(first.PriceList?.[0]);
    const none = await pricing().send(new GetProductsCommand(linuxOnDemand("eu-central-1", "c5n.metal")));
    expect(none.PriceList).toEqual([]);
  });

  it("refuses bad input and throttles, in the JSON 1.1 error shape the SDK reads", async () => {
    const bad = await failure(
      pricing().send(
        new GetProductsCommand({
          ServiceCode: "AmazonEC2",
          Filters: [{ Type: "FUZZY" as never, Field: "instanceType", Value: "x" }],
        }),
      ),
    );
    expect(bad.name).toBe("InvalidParameterException");
    const token = await failure(
      pricing().send(new GetProductsCommand({ ServiceCode: "AmazonEC2", NextToken: "nope" })),
    );
    expect(token.name).toBe("InvalidNextTokenException");
    sim.faults.add({ service: "pricing", kind: "throttle", count: 1 });
    expect(
      (await failure(pricing().send(new GetProductsCommand(linuxOnDemand("us-east-1", "c5.2xlarge"))))).name,
    ).toBe("ThrottlingException");
    expect(sim.calls().byAction["pricing:GetProducts"]).toBe(3);
  });
});
