import { createNoopMeter } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { createCollectorInstruments } from "./collector-instruments.ts";

describe("collector instruments", () => {
  it("creates metrics only with a meter and reports every AWS call to the extra observer", async () => {
    const seen: string[] = [];
    const bare = createCollectorInstruments({
      workers: () => [],
      onAwsCall: (action, region, outcome) => seen.push(`${action}:${region}:${outcome}`),
    });
    expect(bare.metrics).toBeUndefined();
    await expect(bare.caller.call("DescribeInstanceStatus", "us-east-1", async () => 7)).resolves.toBe(7);
    expect(seen).toEqual(["DescribeInstanceStatus:us-east-1:success"]);

    const metered = createCollectorInstruments({
      meter: createNoopMeter(),
      workers: () => [{ region: "eu-west-1" }],
    });
    expect(metered.metrics).toBeDefined();
  });
});
