import type { EC2Client } from "@aws-sdk/client-ec2";
import { type AwsCaller, describeAwsFailure } from "@cml-telemetry/aws";
import { createEvent, type Ec2Status, subjects, telemetry } from "@cml-telemetry/contracts";
import type { Logger } from "@cml-telemetry/messaging";
import type { CollectTarget, RegionCollector } from "@cml-telemetry/scheduling";
import { describeInstanceStatuses } from "./describe-statuses.ts";

/** The `ec2.status` reading of an instance AWS no longer knows. */
export const VANISHED_STATUS = {
  instanceState: "terminated",
  instanceStatus: "not-applicable",
  systemStatus: "not-applicable",
} as const;

/**
 * Creates the EC2 region collector: `DescribeInstanceStatus` in chunks of 100 ids, one `ec2.status` per target
 * (vanished instances as `terminated`), `ec2.failed` for the targets of a failed call.
 */
export function createEc2StatusCollector(options: {
  clientFor: (region: string) => EC2Client;
  caller: AwsCaller;
  logger: Logger;
  now?: () => Date;
}): RegionCollector {
  const now = options.now ?? (() => new Date());
  return async (region, targets, publisher) => {
    const byInstance = new Map<string, CollectTarget[]>();
    for (const target of targets)
      byInstance.set(target.instanceId, [...(byInstance.get(target.instanceId) ?? []), target]);
    const chunks = await describeInstanceStatuses({
      client: options.clientFor(region),
      caller: options.caller,
      region,
      instanceIds: [...byInstance.keys()],
    });
    const observedAt = now().toISOString();
    for (const chunk of chunks) {
      const chunkTargets = chunk.ids.flatMap((id) => byInstance.get(id) ?? []);
      if (!chunk.ok) {
        const failure = describeAwsFailure(chunk.error);
        options.logger.warn(
          { region, instances: chunk.ids.length, errorType: failure.errorType, err: failure.errorMessage },
          "DescribeInstanceStatus failed; publishing ec2.failed for its workers",
        );
        for (const target of chunkTargets) {
          for (const correlationId of target.correlationIds) {
            const event = createEvent(telemetry.ec2Failed, {
              source: "collector-ec2",
              subject: target.workerId,
              correlationId,
              data: { ...refOf(target), ...failure, observedAt },
            });
            await publisher.publish(subjects.telemetry("ec2", target.workerId), event);
          }
        }
        continue;
      }
      for (const target of chunkTargets) {
        const vanished = chunk.vanished.has(target.instanceId);
        const reading = vanished ? VANISHED_STATUS : chunk.statuses.get(target.instanceId);
        if (!reading) continue;
        if (vanished) {
          options.logger.info(
            { workerId: target.workerId, source: "ec2", region, instanceId: target.instanceId },
            "instance no longer exists in AWS; reporting it terminated",
          );
        }
        const data: Ec2Status = { ...refOf(target), ...reading, observedAt };
        for (const correlationId of target.correlationIds) {
          const event = createEvent(telemetry.ec2Status, {
            source: "collector-ec2",
            subject: target.workerId,
            correlationId,
            data,
          });
          await publisher.publish(subjects.telemetry("ec2", target.workerId), event);
        }
      }
    }
  };
}

function refOf(target: CollectTarget): { workerId: string; region: string; instanceId: string } {
  return { workerId: target.workerId, region: target.region, instanceId: target.instanceId };
}
