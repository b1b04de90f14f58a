import type { CloudWatchClient, Dimension, ListMetricsCommand } from "@aws-sdk/client-cloudwatch";
import { createAwsCaller } from "@cml-telemetry/aws";
import { awsError } from "@cml-telemetry/aws/testing";
import { describe, expect, it } from "vitest";
import { createMemoryDimensionsCache } from "./memory-dimensions-cache.ts";

const ID = "i-0aaaaaaaaaaaaaaaa";
const set = (type: string, extra: Dimension[] = []): Dimension[] => [
  { Name: "InstanceId", Value: ID },
  { Name: "ImageId", Value: "ami-0bbbbbbbbbbbbbbbb" },
  { Name: "InstanceType", Value: type },
  ...extra,
];

/** A CloudWatch client whose ListMetrics answers the given sets (or throws), recording every input. */
function fakeClient(answer: () => Dimension[][]) {
  const inputs: Array<Record<string, unknown>> = [];
  const client = {
    send: async (command: ListMetricsCommand) => {
      inputs.push(command.input as Record<string, unknown>);
      return {
        Metrics: answer().map((Dimensions) => ({
          Namespace: "CWAgent",
          MetricName: "mem_used_percent",
          Dimensions,
        })),
      };
    },
  } as unknown as CloudWatchClient;
  return { client, inputs };
}

function cacheOf(answer: () => Dimension[][], clock = { t: 0 }) {
  const fake = fakeClient(answer);
  const cache = createMemoryDimensionsCache({
    clientFor: () => fake.client,
    caller: createAwsCaller({ backoff: { retries: 0, baseDelayMs: 1 } }),
    now: () => clock.t,
  });
  return { cache, inputs: fake.inputs, clock };
}

const wanted = (instanceType: string | null) => [
  { instanceId: ID, instanceType, imageId: "ami-0bbbbbbbbbbbbbbbb" },
];

describe("memory dimensions cache", () => {
  it("asks ListMetrics for recently active agent series only and picks the set matching the type now", async () => {
    let sets = [set("c5.2xlarge")];
    const { cache, inputs, clock } = cacheOf(() => sets);
    expect((await cache.choose("us-east-1", wanted("c5.2xlarge"))).dimensions.get(ID)).toEqual(
      set("c5.2xlarge"),
    );
    expect(inputs[0]).toMatchObject({
      Namespace: "CWAgent",
      MetricName: "mem_used_percent",
      RecentlyActive: "PT3H",
    });
    // After a resize the old set (still listed for three hours) no longer matches: nothing until the new one appears.
    sets = [set("c5.2xlarge"), set("c5.4xlarge")];
    expect((await cache.choose("us-east-1", wanted("c5.4xlarge"))).dimensions.get(ID)).toBeUndefined();
    clock.t += 120_000;
    expect((await cache.choose("us-east-1", wanted("c5.4xlarge"))).dimensions.get(ID)).toEqual(
      set("c5.4xlarge"),
    );
    expect(inputs).toHaveLength(2);
  });

  it("tries another matching set after an empty answer, preferring the most specific first", async () => {
    const plain: Dimension[] = [{ Name: "InstanceId", Value: ID }];
    const { cache, clock } = cacheOf(() => [plain, set("c5.2xlarge")]);
    expect((await cache.choose("us-east-1", wanted("c5.2xlarge"))).dimensions.get(ID)).toEqual(
      set("c5.2xlarge"),
    );
    cache.reportEmpty("us-east-1", ID, set("c5.2xlarge"));
    clock.t += 120_000;
    expect((await cache.choose("us-east-1", wanted("c5.2xlarge"))).dimensions.get(ID)).toEqual(plain);
    cache.reportEmpty("us-east-1", ID, plain);
    expect((await cache.choose("us-east-1", wanted("c5.2xlarge"))).dimensions.get(ID)).toEqual(
      set("c5.2xlarge"),
    );
  });

  it("names a denied ListMetrics as the memory error of instances it knows nothing of", async () => {
    const { cache } = cacheOf(() => {
      throw awsError("AccessDenied", "not authorized to perform: cloudwatch:ListMetrics", "client");
    });
    const choice = await cache.choose("us-east-1", wanted(null));
    expect(choice.dimensions.size).toBe(0);
    expect(choice.errors.get(ID)).toMatchObject({ errorType: "access_denied" });
    expect(choice.errors.get(ID)?.errorMessage).toContain("cloudwatch:ListMetrics");
  });
});
