import { useAwsCollectorTestBed } from "@cml-telemetry/aws/testing";
import { type PriceEntry, priceEntrySchema } from "@cml-telemetry/contracts";
import { simulatedLinuxPrice } from "@cml-telemetry/fleet-sim/testing";
import { priceKey } from "@cml-telemetry/lifecycle";
import { putWorker } from "@cml-telemetry/scheduling/testing";
import { waitFor } from "@cml-telemetry/testing";
import { jetstream } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { describe, expect, it } from "vitest";
import { addInstance, startReplica } from "./testing/lifecycle-test-bed.ts";

const bed = useAwsCollectorTestBed({ regions: ["us-east-1", "eu-west-1"] });

async function priceOf(region: string, instanceType: string): Promise<PriceEntry | undefined> {
  const kv = await new Kvm(jetstream(bed.nc)).open(bed.topology.kv.prices.bucket);
  const entry = await kv.get(priceKey(region, instanceType));
  return entry?.operation === "PUT" ? priceEntrySchema.parse(entry.json()) : undefined;
}

async function putFleetWorker(region: string, instanceType: string): Promise<void> {
  const worker = addInstance(bed, "running", region, instanceType);
  await putWorker(bed.kv, region, worker.instanceId, { instanceType });
}

describe("prices in KV cml_prices", () => {
  it("reads each type of the fleet once a day from GetProducts; PRICES_FILE overrides; an unknown price has no entry", async () => {
    await putFleetWorker("us-east-1", "m5zn.metal");
    await putFleetWorker("us-east-1", "m5zn.metal");
    await putFleetWorker("eu-west-1", "c5n.metal");
    await putFleetWorker("us-east-1", "c5.2xlarge");
    await putFleetWorker("eu-west-1", "x1e.32xlarge");
    const fileEntry: PriceEntry = { hourlyUsd: 0.5, source: "file", fetchedAt: "2026-11-25T12:00:00.000Z" };
    const replica = await startReplica(bed, {
      priceFileEntries: new Map([[priceKey("us-east-1", "c5.2xlarge"), fileEntry]]),
    });
    expect(await replica.prices.refresh()).toEqual({ written: 3, removed: 0, unknown: 1, failed: 0 });
    expect(await priceOf("us-east-1", "m5zn.metal")).toMatchObject({
      hourlyUsd: simulatedLinuxPrice("us-east-1", "m5zn.metal"),
      source: "pricing-api",
    });
    expect((await priceOf("eu-west-1", "c5n.metal"))?.hourlyUsd).toBe(
      simulatedLinuxPrice("eu-west-1", "c5n.metal"),
    );
    expect(await priceOf("us-east-1", "c5.2xlarge")).toEqual(fileEntry);
    expect(await priceOf("eu-west-1", "x1e.32xlarge")).toBeUndefined();
    // Two lookups went to the Price List (the file answered one type, the duplicate type was asked once) and the
    // unknown one once: a second refresh within the day asks nothing.
    expect(bed.sim.calls().byAction["pricing:GetProducts"]).toBe(3);
    expect(await replica.prices.refresh()).toEqual({ written: 0, removed: 0, unknown: 1, failed: 0 });
    expect(bed.sim.calls().byAction["pricing:GetProducts"]).toBe(3);
  });

  it("keeps what it has when the Price List API fails, and tries again next refresh", async () => {
    await putFleetWorker("us-east-1", "m5.2xlarge");
    const replica = await startReplica(bed);
    bed.sim.faults.add({ service: "pricing", kind: "error", count: 20 });
    expect(await replica.prices.refresh()).toMatchObject({ written: 0, failed: 1 });
    bed.sim.faults.clear();
    expect(await replica.prices.refresh()).toMatchObject({ written: 1, failed: 0 });
    expect((await priceOf("us-east-1", "m5.2xlarge"))?.hourlyUsd).toBe(0.384);
  });

  it("prices a type that joins the fleet by itself, on the replica's refresh tick", async () => {
    await startReplica(bed, { priceRefreshIntervalMs: 200 });
    await putFleetWorker("eu-west-1", "m5.4xlarge");
    const entry = await waitFor(() => priceOf("eu-west-1", "m5.4xlarge"), { what: "the new type's price" });
    expect(entry).toMatchObject({ hourlyUsd: 0.856, source: "pricing-api" });
  });
});
