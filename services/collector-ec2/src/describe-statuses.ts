import {
  DescribeInstanceStatusCommand,
  type EC2Client,
  type InstanceStatusSummary,
} from "@aws-sdk/client-ec2";
import type { AwsCaller } from "@cml-telemetry/aws";
import { awsErrorTypes, type StatusCheck, statusCheckSchema } from "@cml-telemetry/contracts";
import { type BadIdsError, isolateBadIds } from "./isolate-bad-ids.ts";

/** AWS's limit of explicit instance ids per `DescribeInstanceStatus` call. */
export const STATUS_IDS_PER_CALL = 100;

/** State and checks of one instance as `DescribeInstanceStatus` reports them. */
export interface InstanceStatusReading {
  readonly instanceState: string;
  readonly instanceStatus: StatusCheck;
  readonly systemStatus: StatusCheck;
}

/** What the status calls of a region gave, per instance id. */
export interface StatusReadings {
  readonly statuses: ReadonlyMap<string, InstanceStatusReading>;
  /** Ids EC2 does not know (`InvalidInstanceID.NotFound`, or absent from an answer naming them). */
  readonly notFound: ReadonlyMap<string, unknown>;
  /** Ids EC2 refuses as malformed (`InvalidInstanceID.Malformed`). */
  readonly malformed: ReadonlyMap<string, unknown>;
  /** Ids whose call failed for another reason (throttling, outage), with the error. */
  readonly failed: ReadonlyArray<{ readonly ids: readonly string[]; readonly error: unknown }>;
}

/**
 * Reads state and checks of instances in calls of 100 explicit ids with `IncludeAllInstances` (no `MaxResults` with
 * ids). EC2 fails a whole call for one unknown or malformed id; such ids are isolated (see `isolateBadIds`) so the
 * others of the call are still read.
 */
export async function describeInstanceStatuses(options: {
  client: EC2Client;
  caller: AwsCaller;
  region: string;
  instanceIds: readonly string[];
  /** Calls of 100 ids in flight at once (default 4). */
  concurrency?: number;
}): Promise<StatusReadings> {
  const unique = [...new Set(options.instanceIds)];
  const chunks: string[][] = [];
  for (let i = 0; i < unique.length; i += STATUS_IDS_PER_CALL)
    chunks.push(unique.slice(i, i + STATUS_IDS_PER_CALL));
  const statuses = new Map<string, InstanceStatusReading>();
  const notFound = new Map<string, unknown>();
  const malformed = new Map<string, unknown>();
  const failed: Array<{ ids: readonly string[]; error: unknown }> = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < chunks.length) {
      const chunk = chunks[next++] as string[];
      const result = await isolateBadIds(chunk, (ids) => describeChunk(options, ids), instanceIdsBlamed);
      for (const page of result.answers) {
        for (const [id, reading] of page.statuses) statuses.set(id, reading);
        for (const id of page.absent) notFound.set(id, undefined);
      }
      for (const [id, { reason, error }] of result.bad)
        (reason === awsErrorTypes.malformedId ? malformed : notFound).set(id, error);
      failed.push(...result.failed);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 4, chunks.length) }, worker));
  return { statuses, notFound, malformed, failed };
}

async function describeChunk(
  options: { client: EC2Client; caller: AwsCaller; region: string },
  ids: readonly string[],
): Promise<{ statuses: Map<string, InstanceStatusReading>; absent: string[] }> {
  const statuses = new Map<string, InstanceStatusReading>();
  let nextToken: string | undefined;
  do {
    const page = await options.caller.call("DescribeInstanceStatus", options.region, () =>
      options.client.send(
        new DescribeInstanceStatusCommand({
          InstanceIds: [...ids],
          IncludeAllInstances: true,
          ...(nextToken ? { NextToken: nextToken } : {}),
        }),
      ),
    );
    for (const status of page.InstanceStatuses ?? []) {
      if (!status.InstanceId) continue;
      statuses.set(status.InstanceId, {
        instanceState: status.InstanceState?.Name ?? "unknown",
        instanceStatus: checkOf(status.InstanceStatus),
        systemStatus: checkOf(status.SystemStatus),
      });
    }
    nextToken = page.NextToken || undefined;
  } while (nextToken);
  return { statuses, absent: ids.filter((id) => !statuses.has(id)) };
}

/** The ids an EC2 error blames: `InvalidInstanceID.NotFound` ("The instance IDs 'i-1, i-2' do not exist") or `.Malformed`. */
export function instanceIdsBlamed(error: unknown): BadIdsError | undefined {
  if (!(error instanceof Error)) return undefined;
  const ids = error.message.match(/i-[0-9A-Za-z]+/g) ?? [];
  if (error.name === "InvalidInstanceID.NotFound") return { reason: awsErrorTypes.notFound, ids };
  if (error.name === "InvalidInstanceID.Malformed") return { reason: awsErrorTypes.malformedId, ids };
  return undefined;
}

function checkOf(summary: InstanceStatusSummary | undefined): StatusCheck {
  const parsed = statusCheckSchema.safeParse(summary?.Status);
  return parsed.success ? parsed.data : "insufficient-data";
}
