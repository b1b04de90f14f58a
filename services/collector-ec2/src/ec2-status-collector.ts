import type { EC2Client } from "@aws-sdk/client-ec2";
import { type AwsCaller, describeAwsFailure } from "@cml-telemetry/aws";
import {
  awsErrorTypes,
  createEvent,
  type Ec2Status,
  isAwsInstanceId,
  type SourceFailed,
  subjects,
  telemetry,
  type WorkerState,
} from "@cml-telemetry/contracts";
import type { Logger, WindowedPublisher } from "@cml-telemetry/messaging";
import type { CollectTarget, RegionCollector } from "@cml-telemetry/scheduling";
import { describeInstanceStatuses } from "./describe-statuses.ts";
import { createNotFoundRuns, notFoundVerdict } from "./not-found-grace.ts";

/** The `ec2.status` reading of an instance AWS no longer knows. */
export const VANISHED_STATUS = {
  instanceState: "terminated",
  instanceStatus: "not-applicable",
  systemStatus: "not-applicable",
} as const;

/** Default `EC2_NOT_FOUND_GRACE_SECONDS`. */
export const DEFAULT_NOT_FOUND_GRACE_SECONDS = 900;

/** What an `ec2.failed` says, without the worker reference and time. */
type Failure = Pick<SourceFailed, "errorType" | "errorMessage" | "retryable">;

/**
 * Creates the EC2 region collector: `DescribeInstanceStatus` in calls of 100 ids, one `ec2.status` per target or an
 * `ec2.failed` with a stable `errorType`. An id EC2 would refuse is never sent (`malformed_id`); an instance EC2 does
 * not find is `not_found` until, for a worker seen existing, that has lasted the grace (then `terminated`); AWS's own
 * `terminated`/`shutting-down` states are published as they are; a failed call fails only its own ids.
 */
export function createEc2StatusCollector(options: {
  clientFor: (region: string) => EC2Client;
  caller: AwsCaller;
  logger: Logger;
  /** The worker states (for the NotFound rule: was the worker seen existing?). */
  workerState: (workerId: string) => WorkerState | undefined;
  /** `EC2_NOT_FOUND_GRACE_SECONDS` (default 900). */
  notFoundGraceSeconds?: number;
  /** Told each failure published, by `errorType` (the `collect_errors_total` self-metric). */
  onFailure?: (errorType: string) => void;
  now?: () => Date;
}): RegionCollector {
  const now = options.now ?? (() => new Date());
  const graceMs = (options.notFoundGraceSeconds ?? DEFAULT_NOT_FOUND_GRACE_SECONDS) * 1000;
  const notFoundRuns = createNotFoundRuns();
  return async (region, targets, publisher) => {
    const byInstance = new Map<string, CollectTarget[]>();
    for (const target of targets)
      byInstance.set(target.instanceId, [...(byInstance.get(target.instanceId) ?? []), target]);
    const sendable = [...byInstance.keys()].filter(isAwsInstanceId);
    const readings = await describeInstanceStatuses({
      client: options.clientFor(region),
      caller: options.caller,
      region,
      instanceIds: sendable,
    });
    const observed = now();
    const observedAt = observed.toISOString();
    const publishStatus = async (target: CollectTarget, reading: Omit<Ec2Status, keyof Ref | "observedAt">) =>
      await publishEach(publisher, target, (correlationId) =>
        createEvent(telemetry.ec2Status, {
          source: "collector-ec2",
          subject: target.workerId,
          correlationId,
          data: { ...refOf(target), ...reading, observedAt },
        }),
      );
    const publishFailed = async (target: CollectTarget, failure: Failure) => {
      options.onFailure?.(failure.errorType);
      await publishEach(publisher, target, (correlationId) =>
        createEvent(telemetry.ec2Failed, {
          source: "collector-ec2",
          subject: target.workerId,
          correlationId,
          data: { ...refOf(target), ...failure, observedAt },
        }),
      );
    };
    for (const failed of readings.failed) {
      const failure = describeAwsFailure(failed.error);
      options.logger.warn(
        { region, instances: failed.ids.length, errorType: failure.errorType, err: failure.errorMessage },
        "DescribeInstanceStatus failed; publishing ec2.failed for its workers",
      );
    }
    const failedCall = new Map(readings.failed.flatMap(({ ids, error }) => ids.map((id) => [id, error])));
    for (const [instanceId, instanceTargets] of byInstance) {
      for (const target of instanceTargets) {
        const reading = readings.statuses.get(instanceId);
        if (reading) {
          notFoundRuns.clear(target.workerId);
          await publishStatus(target, reading);
        } else if (!isAwsInstanceId(instanceId) || readings.malformed.has(instanceId)) {
          await publishFailed(target, malformedFailure(instanceId));
        } else if (readings.notFound.has(instanceId)) {
          const worker = options.workerState(target.workerId);
          const sinceMs = notFoundRuns.observe(target.workerId, worker, observed.getTime());
          const verdict = notFoundVerdict({ worker, sinceMs, nowMs: observed.getTime(), graceMs });
          if (verdict.terminate) {
            options.logger.info(
              {
                workerId: target.workerId,
                source: "ec2",
                region,
                instanceId,
                notFoundSince: new Date(sinceMs),
              },
              "instance not found for longer than EC2_NOT_FOUND_GRACE_SECONDS; reporting it terminated",
            );
            notFoundRuns.clear(target.workerId);
            await publishStatus(target, VANISHED_STATUS);
          } else {
            await publishFailed(
              target,
              notFoundFailure(instanceId, region, verdict.seenExisting, sinceMs, graceMs),
            );
          }
        } else if (failedCall.has(instanceId)) {
          await publishFailed(target, describeAwsFailure(failedCall.get(instanceId)));
        }
      }
    }
  };
}

type Ref = { workerId: string; region: string; instanceId: string };

function refOf(target: CollectTarget): Ref {
  return { workerId: target.workerId, region: target.region, instanceId: target.instanceId };
}

/** Publishes the event `build` makes once per correlation id of the target. */
async function publishEach(
  publisher: WindowedPublisher,
  target: CollectTarget,
  build: (correlationId: string | undefined) => ReturnType<typeof createEvent>,
): Promise<void> {
  for (const correlationId of target.correlationIds)
    await publisher.publish(subjects.telemetry("ec2", target.workerId), build(correlationId));
}

function malformedFailure(instanceId: string): Failure {
  return {
    errorType: awsErrorTypes.malformedId,
    errorMessage: `"${instanceId}" is not an EC2 instance id (i- and 8 or 17 hex digits); EC2 would refuse it. Register the worker again with its real instance id.`,
    retryable: false,
  };
}

function notFoundFailure(
  instanceId: string,
  region: string,
  seenExisting: boolean,
  sinceMs: number,
  graceMs: number,
): Failure {
  const cause = seenExisting
    ? `it is reported terminated if this lasts ${Math.round(graceMs / 1000)} s (not found since ${new Date(sinceMs).toISOString()})`
    : "a just-launched or just-tagged instance can take a moment to appear; if this lasts, check the worker's instance id and region";
  return {
    errorType: awsErrorTypes.notFound,
    errorMessage: `InvalidInstanceID.NotFound: EC2 does not find instance ${instanceId} in ${region}; ${cause}`,
    retryable: true,
  };
}
