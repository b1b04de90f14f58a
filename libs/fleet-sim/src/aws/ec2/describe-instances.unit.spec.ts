import { describe, expect, it } from "vitest";
import { createFleetModel } from "../../model/fleet-model.ts";
import { createManualClock } from "../../testing/manual-clock.ts";
import { AwsApiError } from "../aws-api-error.ts";
import { parseQueryParams } from "../query-params.ts";
import { describeInstanceStatus } from "./describe-instance-status.ts";
import { describeInstances } from "./describe-instances.ts";

const fleet = createFleetModel({ seed: 3, workers: 40, untagged: 2, now: createManualClock().now });

function call(handler: typeof describeInstances, query: string, region = "us-east-1"): string {
  return handler({ params: parseQueryParams(query), region, fleet, requestId: "req-1" });
}

function ids(xml: string): string[] {
  return [...xml.matchAll(/<instanceId>(i-[0-9a-f]+)<\/instanceId>/g)].map((m) => m[1] ?? "");
}

function errorCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof AwsApiError) return error.code;
    throw error;
  }
  return undefined;
}

describe("describeInstances", () => {
  it("pages the tagged instances of one region with MaxResults and NextToken", () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const xml = call(
        describeInstances,
        `Action=DescribeInstances&Filter.1.Name=tag-key&Filter.1.Value.1=cml%3Aworker&MaxResults=5${token ? `&NextToken=${token}` : ""}`,
      );
      seen.push(...ids(xml));
      token = /<nextToken>([^<]+)<\/nextToken>/.exec(xml)?.[1];
      pages++;
    } while (token);
    expect(pages).toBe(4);
    expect(seen).toEqual(
      fleet
        .instances("us-east-1")
        .filter((i) => "cml:worker" in i.tags)
        .map((i) => i.instanceId),
    );
  });

  it("filters by state, tag value with wildcards and instance id", () => {
    const stopped = ids(
      call(describeInstances, "Filter.1.Name=instance-state-name&Filter.1.Value.1=stopped"),
    );
    expect(stopped.length).toBeGreaterThan(0);
    expect(stopped.every((id) => fleet.find(id)?.state === "stopped")).toBe(true);
    const named = ids(call(describeInstances, "Filter.1.Name=tag%3AName&Filter.1.Value.1=bastion-*"));
    expect(named.map((id) => fleet.find(id)?.tags.Name)).toEqual(["bastion-1"]);
    const first = fleet.instances("us-east-1")[0]?.instanceId ?? "";
    expect(ids(call(describeInstances, `Filter.1.Name=instance-id&Filter.1.Value.1=${first}`))).toEqual([
      first,
    ]);
  });

  it("rejects unknown filters, MaxResults out of range, MaxResults with ids and ids of another region", () => {
    expect(errorCode(() => call(describeInstances, "Filter.1.Name=color&Filter.1.Value.1=red"))).toBe(
      "InvalidParameterValue",
    );
    expect(errorCode(() => call(describeInstances, "MaxResults=4"))).toBe("InvalidParameterValue");
    const first = fleet.instances("us-east-1")[0]?.instanceId ?? "";
    expect(errorCode(() => call(describeInstances, `InstanceId.1=${first}&MaxResults=5`))).toBe(
      "InvalidParameterCombination",
    );
    expect(errorCode(() => call(describeInstances, `InstanceId.1=${first}`, "eu-west-1"))).toBe(
      "InvalidInstanceID.NotFound",
    );
    expect(errorCode(() => call(describeInstances, "InstanceId.1=bogus"))).toBe(
      "InvalidInstanceID.Malformed",
    );
  });
});

describe("describeInstanceStatus", () => {
  it("returns running instances only unless IncludeAllInstances is set", () => {
    const running = ids(call(describeInstanceStatus, "Action=DescribeInstanceStatus"));
    const all = ids(call(describeInstanceStatus, "Action=DescribeInstanceStatus&IncludeAllInstances=true"));
    expect(running.every((id) => fleet.find(id)?.state === "running")).toBe(true);
    expect(all).toHaveLength(fleet.instances("us-east-1").length);
    expect(running.length).toBeLessThan(all.length);
  });

  it("enforces at most 100 instance ids", () => {
    const query = Array.from(
      { length: 101 },
      (_, i) => `InstanceId.${i + 1}=i-0${String(i).padStart(16, "0")}`,
    ).join("&");
    expect(errorCode(() => call(describeInstanceStatus, query))).toBe("InvalidRequest");
  });
});
