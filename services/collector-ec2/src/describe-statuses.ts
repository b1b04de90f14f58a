import {
  DescribeInstanceStatusCommand,
  type EC2Client,
  type InstanceStatusSummary,
} from "@aws-sdk/client-ec2";
import type { AwsCaller } from "@cml-telemetry/aws";
import { type StatusCheck, statusCheckSchema } from "@cml-telemetry/contracts";

/** AWS's limit of explicit instance ids per `DescribeInstanceStatus` call. */
export const STATUS_IDS_PER_CALL = 100;

/** State and checks of one instance as `DescribeInstanceStatus` reports them. */
export interface InstanceStatusReading {
  readonly instanceState: string;
  readonly instanceStatus: StatusCheck;
  readonly systemStatus: StatusCheck;
}

/** What one chunk of instance ids gave. */
export type StatusChunkResult =
  | {
      readonly ok: true;
      readonly ids: readonly string[];
      readonly statuses: ReadonlyMap<string, InstanceStatusReading>;
      /** Ids AWS does not know any more (not returned with `IncludeAllInstances`, or `NotFound`). */
      readonly vanished: ReadonlySet<string>;
    }
  | { readonly ok: false; readonly ids: readonly string[]; readonly error: unknown };

/**
 * Reads state and checks of instances in chunks of 100 explicit ids with `IncludeAllInstances` (no `MaxResults`
 * with ids). An id AWS answers `InvalidInstanceID.NotFound` for is vanished; the chunk is asked again without it.
 */
export async function describeInstanceStatuses(options: {
  client: EC2Client;
  caller: AwsCaller;
  region: string;
  instanceIds: readonly string[];
  /** Chunks in flight at once (default 4). */
  concurrency?: number;
}): Promise<StatusChunkResult[]> {
  const unique = [...new Set(options.instanceIds)];
  const chunks: string[][] = [];
  for (let i = 0; i < unique.length; i += STATUS_IDS_PER_CALL)
    chunks.push(unique.slice(i, i + STATUS_IDS_PER_CALL));
  const results: StatusChunkResult[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < chunks.length) {
      const chunk = chunks[next++] as string[];
      results.push(await describeChunk(options, chunk));
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 4, chunks.length) }, worker));
  return results;
}

async function describeChunk(
  options: { client: EC2Client; caller: AwsCaller; region: string },
  ids: readonly string[],
): Promise<StatusChunkResult> {
  const vanished = new Set<string>();
  let remaining = [...ids];
  // Each NotFound answer removes at least one id, so this ends.
  while (remaining.length > 0) {
    try {
      const statuses = new Map<string, InstanceStatusReading>();
      let nextToken: string | undefined;
      do {
        const page = await options.caller.call("DescribeInstanceStatus", options.region, () =>
          options.client.send(
            new DescribeInstanceStatusCommand({
              InstanceIds: remaining,
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
      for (const id of remaining) if (!statuses.has(id)) vanished.add(id);
      return { ok: true, ids, statuses, vanished };
    } catch (error) {
      const missing = notFoundIds(error).filter((id) => remaining.includes(id));
      if (missing.length === 0) return { ok: false, ids, error };
      for (const id of missing) vanished.add(id);
      remaining = remaining.filter((id) => !vanished.has(id));
    }
  }
  return { ok: true, ids, statuses: new Map(), vanished };
}

/** Instance ids named by an `InvalidInstanceID.NotFound` error ("The instance IDs 'i-1, i-2' do not exist"). */
export function notFoundIds(error: unknown): string[] {
  if (!(error instanceof Error) || error.name !== "InvalidInstanceID.NotFound") return [];
  return error.message.match(/i-[0-9a-f]+/g) ?? [];
}

function checkOf(summary: InstanceStatusSummary | undefined): StatusCheck {
  const parsed = statusCheckSchema.safeParse(summary?.Status);
  return parsed.success ? parsed.data : "insufficient-data";
}
