import { DescribeInstancesCommand, type EC2Client, type Instance } from "@aws-sdk/client-ec2";
import type { AwsCaller } from "@cml-telemetry/aws";
import { type WorkerTag, workerTagFilter } from "./worker-tag.ts";

/** Page size of discovery (AWS's maximum). */
export const DISCOVERY_PAGE_SIZE = 1000;

/** Every instance of a region carrying the worker tag, following all `DescribeInstances` pages. */
export async function describeTaggedInstances(options: {
  client: EC2Client;
  caller: AwsCaller;
  region: string;
  tag: WorkerTag;
}): Promise<{ instances: Instance[]; pages: number }> {
  const instances: Instance[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const page = await options.caller.call("DescribeInstances", options.region, () =>
      options.client.send(
        new DescribeInstancesCommand({
          Filters: [workerTagFilter(options.tag)],
          MaxResults: DISCOVERY_PAGE_SIZE,
          ...(nextToken ? { NextToken: nextToken } : {}),
        }),
      ),
    );
    pages++;
    for (const reservation of page.Reservations ?? []) instances.push(...(reservation.Instances ?? []));
    nextToken = page.NextToken || undefined;
  } while (nextToken);
  return { instances, pages };
}
