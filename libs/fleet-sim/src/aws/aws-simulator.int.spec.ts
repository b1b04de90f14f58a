import {
  CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  ListMetricsCommand,
  type Metric,
  type MetricDataQuery,
  paginateListMetrics,
} from "@aws-sdk/client-cloudwatch";
import {
  DescribeImagesCommand,
  DescribeInstanceStatusCommand,
  DescribeInstancesCommand,
  EC2Client,
  paginateDescribeInstances,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createFleetModel, type FleetModel } from "../model/fleet-model.ts";
import { awsClientConfig } from "../testing/aws-client-config.ts";
import { type AwsSimulator, startAwsSimulator } from "./aws-simulator.ts";

let fleet: FleetModel;
let sim: AwsSimulator;
const ec2 = (region: string, maxAttempts = 1) => new EC2Client(awsClientConfig(sim.url, region, maxAttempts));
const cloudWatch = (region: string, maxAttempts = 1) =>
  new CloudWatchClient(awsClientConfig(sim.url, region, maxAttempts));

async function errorName(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as Error).name;
  }
  return "no error";
}

beforeAll(async () => {
  fleet = createFleetModel({ seed: 11, workers: 240, untagged: 4, regions: ["us-east-1", "eu-west-1"] });
  sim = await startAwsSimulator({ fleet });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.faults.clear();
  sim.resetCalls();
});

describe("EC2 contract (real @aws-sdk/client-ec2)", () => {
  it("pages DescribeInstances with a tag filter and keeps regions apart", async () => {
    const seen = new Map<string, string[]>();
    for (const region of ["us-east-1", "eu-west-1"]) {
      const ids: string[] = [];
      const pages = paginateDescribeInstances(
        { client: ec2(region), pageSize: 50 },
        { Filters: [{ Name: "tag-key", Values: ["cml:worker"] }] },
      );
      for await (const page of pages) {
        for (const reservation of page.Reservations ?? []) {
          for (const instance of reservation.Instances ?? []) ids.push(instance.InstanceId ?? "");
        }
      }
      seen.set(region, ids);
    }
    expect(seen.get("us-east-1")).toHaveLength(120);
    expect(seen.get("eu-west-1")).toHaveLength(120);
    expect(seen.get("us-east-1")?.every((id) => fleet.find(id)?.region === "us-east-1")).toBe(true);
    expect(sim.calls().byRegion["us-east-1"]?.["ec2:DescribeInstances"]).toBe(3);
  });

  it("returns the instance fields the collectors read", async () => {
    const target = fleet.instances("eu-west-1").find((i) => i.state === "running" && i.detailedMonitoring);
    const out = await ec2("eu-west-1").send(
      new DescribeInstancesCommand({ InstanceIds: [target?.instanceId ?? ""] }),
    );
    const instance = out.Reservations?.[0]?.Instances?.[0];
    expect(instance).toMatchObject({
      InstanceId: target?.instanceId,
      ImageId: target?.imageId,
      InstanceType: target?.instanceType,
      State: { Code: 16, Name: "running" },
      PrivateIpAddress: target?.privateIpAddress,
      PublicIpAddress: target?.assignedPublicIp,
      Monitoring: { State: "enabled" },
      Placement: { AvailabilityZone: target?.availabilityZone },
    });
    expect(instance?.LaunchTime?.getTime()).toBe(target?.launchTime);
    expect(instance?.Tags).toContainEqual({ Key: "Name", Value: target?.tags.Name });
    const images = await ec2("eu-west-1").send(
      new DescribeImagesCommand({ ImageIds: [target?.imageId ?? ""] }),
    );
    expect(images.Images?.[0]?.Name).toBe(target?.amiName);
  });

  it("answers DescribeInstanceStatus with IncludeAllInstances and paging", async () => {
    const client = ec2("us-east-1");
    const runningOnly = await client.send(new DescribeInstanceStatusCommand({ MaxResults: 1000 }));
    expect(runningOnly.InstanceStatuses?.every((s) => s.InstanceState?.Name === "running")).toBe(true);
    const first = await client.send(
      new DescribeInstanceStatusCommand({ IncludeAllInstances: true, MaxResults: 100 }),
    );
    const second = await client.send(
      new DescribeInstanceStatusCommand({
        IncludeAllInstances: true,
        MaxResults: 100,
        NextToken: first.NextToken,
      }),
    );
    expect((first.InstanceStatuses?.length ?? 0) + (second.InstanceStatuses?.length ?? 0)).toBe(122);
    const stopped = second.InstanceStatuses?.concat(first.InstanceStatuses ?? []).find(
      (s) => s.InstanceState?.Name === "stopped",
    );
    expect(stopped?.InstanceStatus?.Status).toBe("not-applicable");
    const ok = first.InstanceStatuses?.find((s) => s.InstanceState?.Name === "running");
    expect(ok?.InstanceStatus).toEqual({
      Status: "ok",
      Details: [{ Name: "reachability", Status: "passed" }],
    });
    expect(ok?.SystemStatus?.Status).toBe("ok");
  });

  it("surfaces AWS's limits as SDK errors", async () => {
    const ids = fleet.instances("us-east-1").map((i) => i.instanceId);
    const client = ec2("us-east-1");
    const chunk = await client.send(
      new DescribeInstanceStatusCommand({ InstanceIds: ids.slice(0, 100), IncludeAllInstances: true }),
    );
    expect(chunk.InstanceStatuses).toHaveLength(100);
    expect(
      await errorName(client.send(new DescribeInstanceStatusCommand({ InstanceIds: ids.slice(0, 101) }))),
    ).toBe("InvalidRequest");
    expect(
      await errorName(
        client.send(new DescribeInstanceStatusCommand({ InstanceIds: ids.slice(0, 2), MaxResults: 5 })),
      ),
    ).toBe("InvalidParameterCombination");
    expect(
      await errorName(client.send(new DescribeInstancesCommand({ InstanceIds: ["i-0123456789abcdef0"] }))),
    ).toBe("InvalidInstanceID.NotFound");
  });

  it("ec2-eventual-consistency: a just-launched instance is NotFound by id for a while, then found", async () => {
    const launched = fleet.add({ region: "us-east-1" });
    fleet.setRealism({ ec2ConsistencySeconds: 3_600 });
    const client = ec2("us-east-1");
    const known = fleet.instances("us-east-1").find((i) => i.state === "running")?.instanceId ?? "";
    try {
      const missing = client.send(
        new DescribeInstanceStatusCommand({
          InstanceIds: [known, launched.instanceId],
          IncludeAllInstances: true,
        }),
      );
      await expect(missing).rejects.toMatchObject({
        name: "InvalidInstanceID.NotFound",
        message: `The instance ID '${launched.instanceId}' does not exist`,
      });
      fleet.setRealism({ ec2ConsistencySeconds: 0 });
      const found = await client.send(
        new DescribeInstanceStatusCommand({ InstanceIds: [launched.instanceId], IncludeAllInstances: true }),
      );
      expect(found.InstanceStatuses?.[0]?.InstanceId).toBe(launched.instanceId);
    } finally {
      fleet.setRealism({ ec2ConsistencySeconds: 20 });
      fleet.remove(launched.instanceId);
    }
  });

  it("fails the whole call for one malformed id: only i- plus 8 or 17 hex digits", async () => {
    const client = ec2("us-east-1");
    const known = fleet.instances("us-east-1")[0]?.instanceId ?? "";
    for (const bad of ["i-0123456789", "i-0123456789ABCDEF0", "0123456789abcdef0"]) {
      await expect(
        client.send(
          new DescribeInstanceStatusCommand({ InstanceIds: [known, bad], IncludeAllInstances: true }),
        ),
      ).rejects.toMatchObject({ name: "InvalidInstanceID.Malformed", message: `Invalid id: "${bad}"` });
    }
    const short = await errorName(client.send(new DescribeInstancesCommand({ InstanceIds: ["i-01234567"] })));
    expect(short).toBe("InvalidInstanceID.NotFound");
  });

  it("fails DescribeImages naming a deregistered (NotFound) or no-longer-shared (Unavailable) AMI", async () => {
    const client = ec2("eu-west-1");
    const [kept, gone, unshared] = fleet.images("eu-west-1").map((image) => image.imageId);
    fleet.setImageState(gone ?? "", "deregistered", "eu-west-1");
    fleet.setImageState(unshared ?? "", "unshared", "eu-west-1");
    try {
      await expect(
        client.send(new DescribeImagesCommand({ ImageIds: [kept ?? "", gone ?? "", unshared ?? ""] })),
      ).rejects.toMatchObject({
        name: "InvalidAMIID.NotFound",
        message: `The image id '[${gone}]' does not exist`,
      });
      await expect(
        client.send(new DescribeImagesCommand({ ImageIds: [kept ?? "", unshared ?? ""] })),
      ).rejects.toMatchObject({
        name: "InvalidAMIID.Unavailable",
        message: `The image ID '${unshared}' is no longer available`,
      });
      expect(await errorName(client.send(new DescribeImagesCommand({ ImageIds: ["ami-123"] })))).toBe(
        "InvalidAMIID.Malformed",
      );
      const ok = await client.send(new DescribeImagesCommand({ ImageIds: [kept ?? ""] }));
      expect(ok.Images?.map((i) => i.ImageId)).toEqual([kept]);
    } finally {
      fleet.setImageState(gone ?? "", "available", "eu-west-1");
      fleet.setImageState(unshared ?? "", "available", "eu-west-1");
    }
  });

  it("throttles with RequestLimitExceeded, which the SDK retries", async () => {
    sim.faults.add({
      service: "ec2",
      action: "DescribeInstances",
      region: "us-east-1",
      kind: "throttle",
      count: 1,
    });
    expect(await errorName(ec2("us-east-1").send(new DescribeInstancesCommand({ MaxResults: 5 })))).toBe(
      "RequestLimitExceeded",
    );
    sim.faults.add({ service: "ec2", kind: "throttle", count: 1 });
    const retried = await ec2("us-east-1", 3).send(new DescribeInstancesCommand({ MaxResults: 5 }));
    expect(retried.$metadata.attempts).toBe(2);
    sim.faults.add({ service: "ec2", kind: "error", count: 1 });
    expect(await errorName(ec2("eu-west-1").send(new DescribeInstancesCommand({ MaxResults: 5 })))).toBe(
      "InternalError",
    );
    expect(sim.calls().errors).toEqual({ RequestLimitExceeded: 2, InternalError: 1 });
  });
});

describe("CloudWatch contract (real @aws-sdk/client-cloudwatch)", () => {
  const window = (): Pick<GetMetricDataCommandInput, "StartTime" | "EndTime"> => ({
    StartTime: new Date(Date.now() - 15 * 60_000),
    EndTime: new Date(),
  });
  const cpu = (id: string, instanceId: string): MetricDataQuery => ({
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: "AWS/EC2",
        MetricName: "CPUUtilization",
        Dimensions: [{ Name: "InstanceId", Value: instanceId }],
      },
      Period: 60,
      Stat: "Average",
    },
  });
  const running = () =>
    fleet.instances("us-east-1").filter((i) => i.state === "running" && i.tags["cml:worker"]);

  it("accepts 500 queries, counts them, and rejects 501", async () => {
    const instances = running();
    const queries = Array.from({ length: 501 }, (_, i) =>
      cpu(`q${i}`, instances[i % instances.length]?.instanceId ?? ""),
    );
    const out = await cloudWatch("us-east-1").send(
      new GetMetricDataCommand({ ...window(), MetricDataQueries: queries.slice(0, 500) }),
    );
    expect(out.MetricDataResults).toHaveLength(500);
    const first = out.MetricDataResults?.[0];
    expect(first?.StatusCode).toBe("Complete");
    expect(first?.Timestamps?.[0]?.getTime()).toBeGreaterThan(first?.Timestamps?.[1]?.getTime() ?? 0);
    expect(sim.calls().metricQueriesByRegion["us-east-1"]).toBe(500);
    const rejected = cloudWatch("us-east-1").send(
      new GetMetricDataCommand({ ...window(), MetricDataQueries: queries }),
    );
    await expect(rejected).rejects.toMatchObject({
      name: "InvalidParameterValueException",
      Code: "InvalidParameterValue",
      message: "The collection MetricDataQueries must not have a size greater than 500.",
    });
  });

  it("pages GetMetricData through NextToken", async () => {
    const [a, b] = running().filter((i) => i.detailedMonitoring);
    const input: GetMetricDataCommandInput = {
      ...window(),
      MaxDatapoints: 10,
      MetricDataQueries: [cpu("a", a?.instanceId ?? ""), cpu("b", b?.instanceId ?? "")],
    };
    const client = cloudWatch("us-east-1");
    const all = await client.send(new GetMetricDataCommand({ ...input, MaxDatapoints: undefined }));
    const expected = all.MetricDataResults?.reduce((sum, r) => sum + (r.Values?.length ?? 0), 0) ?? 0;
    expect(expected).toBeGreaterThan(20);
    let total = 0;
    let pages = 0;
    let nextToken: string | undefined;
    do {
      const page = await client.send(new GetMetricDataCommand({ ...input, NextToken: nextToken }));
      for (const result of page.MetricDataResults ?? []) {
        expect(result.Values?.length).toBe(result.Timestamps?.length);
        total += result.Values?.length ?? 0;
      }
      nextToken = page.NextToken;
      pages++;
    } while (nextToken && pages < 10);
    expect(total).toBe(expected);
    expect(pages).toBe(Math.ceil(expected / 10));
  });

  it("lists the agent's dimension sets and serves memory under both configurations", async () => {
    const client = cloudWatch("us-east-1");
    const metrics: Metric[] = [];
    for await (const page of paginateListMetrics(
      { client },
      { Namespace: "CWAgent", MetricName: "mem_used_percent" },
    )) {
      metrics.push(...(page.Metrics ?? []));
    }
    const shapes = new Set(metrics.map((m) => (m.Dimensions ?? []).map((d) => d.Name).join("+")));
    expect(shapes).toEqual(
      new Set([
        "InstanceId",
        "InstanceId+ImageId+InstanceType",
        "InstanceId+ImageId+InstanceType+AutoScalingGroupName",
      ]),
    );
    const withoutAgent = running().find((i) => i.agent === "none");
    expect(metrics.some((m) => m.Dimensions?.some((d) => d.Value === withoutAgent?.instanceId))).toBe(false);
    const byInstance = await client.send(
      new ListMetricsCommand({ Dimensions: [{ Name: "InstanceId", Value: running()[0]?.instanceId ?? "" }] }),
    );
    expect(byInstance.Metrics?.map((m) => m.MetricName).sort()).toEqual([
      "CPUUtilization",
      "mem_used_percent",
    ]);

    const isRunning = (m: (typeof metrics)[number]) =>
      fleet.find(m.Dimensions?.[0]?.Value ?? "")?.state === "running";
    const full = metrics.find((m) => m.Dimensions?.length === 3 && isRunning(m));
    const simple = metrics.find((m) => m.Dimensions?.length === 1 && isRunning(m));
    const memory = (id: string, dims: typeof full): MetricDataQuery => ({
      Id: id,
      MetricStat: {
        Metric: { Namespace: "CWAgent", MetricName: "mem_used_percent", Dimensions: dims?.Dimensions },
        Period: 60,
        Stat: "Average",
      },
    });
    const wrongDims = { Dimensions: full?.Dimensions?.slice(0, 1) };
    const out = await client.send(
      new GetMetricDataCommand({
        ...window(),
        MetricDataQueries: [memory("full", full), memory("simple", simple), memory("wrong", wrongDims)],
      }),
    );
    const counts = Object.fromEntries(out.MetricDataResults?.map((r) => [r.Id, r.Values?.length ?? 0]) ?? []);
    expect(counts.full).toBeGreaterThan(0);
    expect(counts.simple).toBeGreaterThan(0);
    expect(counts.wrong).toBe(0);
  });

  it("denies ListMetrics with AccessDenied naming the permission while GetMetricData works", async () => {
    sim.faults.add({ service: "cloudwatch", action: "ListMetrics", kind: "deny" });
    const client = cloudWatch("us-east-1");
    await expect(client.send(new ListMetricsCommand({ Namespace: "CWAgent" }))).rejects.toMatchObject({
      name: "AccessDenied",
      $metadata: { httpStatusCode: 403 },
      message: expect.stringContaining("cloudwatch:ListMetrics"),
    });
    const out = await client.send(
      new GetMetricDataCommand({
        ...window(),
        MetricDataQueries: [cpu("a", running()[0]?.instanceId ?? "")],
      }),
    );
    expect(out.MetricDataResults?.[0]?.StatusCode).toBe("Complete");
  });

  it("answers per-result StatusCode InternalError and Forbidden through the SDK", async () => {
    const [a, b] = running();
    sim.faults.add({
      service: "cloudwatch",
      kind: "result-status",
      resultStatus: "Forbidden",
      instanceId: a?.instanceId,
    });
    const out = await cloudWatch("us-east-1").send(
      new GetMetricDataCommand({
        ...window(),
        MetricDataQueries: [cpu("a", a?.instanceId ?? ""), cpu("b", b?.instanceId ?? "")],
      }),
    );
    expect(out.MetricDataResults?.map((r) => [r.Id, r.StatusCode, (r.Values?.length ?? 0) > 0])).toEqual([
      ["a", "Forbidden", false],
      ["b", "Complete", true],
    ]);
    expect(out.MetricDataResults?.[0]?.Messages?.[0]?.Code).toBe("Forbidden");
  });

  it("throttles with Throttling and fails with InternalFailure", async () => {
    sim.faults.add({ service: "cloudwatch", action: "GetMetricData", kind: "throttle", count: 1 });
    const input = { ...window(), MetricDataQueries: [cpu("a", running()[0]?.instanceId ?? "")] };
    expect(await errorName(cloudWatch("us-east-1").send(new GetMetricDataCommand(input)))).toBe("Throttling");
    sim.faults.add({ service: "cloudwatch", kind: "throttle", count: 1 });
    const retried = await cloudWatch("us-east-1", 3).send(new GetMetricDataCommand(input));
    expect(retried.$metadata.attempts).toBe(2);
    sim.faults.add({ service: "cloudwatch", kind: "error", count: 1 });
    expect(await errorName(cloudWatch("us-east-1").send(new ListMetricsCommand({})))).toBe("InternalFailure");
  });
});

describe("requests outside the SDK contract", () => {
  it("refuses unsigned requests in each service's error format", async () => {
    const ec2Response = await fetch(sim.url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "Action=DescribeInstances&Version=2016-11-15",
    });
    expect(ec2Response.status).toBe(401);
    expect(await ec2Response.text()).toMatch(/<Code>MissingAuthenticationToken<\/Code>/);
    const cwResponse = await fetch(sim.url, {
      method: "POST",
      headers: {
        "x-amz-target": "GraniteServiceVersion20100801.ListMetrics",
        "content-type": "application/x-amz-json-1.0",
      },
      body: "{}",
    });
    expect(cwResponse.status).toBe(403);
    expect(cwResponse.headers.get("x-amzn-query-error")).toBe("MissingAuthenticationToken;Sender");
  });

  it("answers 404 on /_sim when no control API is mounted", async () => {
    expect((await fetch(`${sim.url}/_sim/fleet`)).status).toBe(404);
  });
});
