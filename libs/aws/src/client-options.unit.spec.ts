import { describe, expect, it } from "vitest";
import { awsClientOptions, createRegionClients, regionClientLookup } from "./client-options.ts";

describe("AWS client options", () => {
  it("uses adaptive retries with five attempts in the given region", () => {
    expect(awsClientOptions("eu-west-1")).toEqual({
      region: "eu-west-1",
      retryMode: "adaptive",
      maxAttempts: 5,
    });
  });

  it("creates one client per region and names the service when a region has none", () => {
    const clients = createRegionClients(["us-east-1", "eu-west-1"], (region) => ({ region }));
    expect([...clients.keys()]).toEqual(["us-east-1", "eu-west-1"]);
    const clientFor = regionClientLookup(clients, "EC2");
    expect(clientFor("eu-west-1")).toEqual({ region: "eu-west-1" });
    expect(() => clientFor("ap-south-1")).toThrow(new RangeError("no EC2 client for region ap-south-1"));
  });
});
