import type { EC2Client } from "@aws-sdk/client-ec2";
import { type AwsCaller, describeAwsFailure } from "@cml-telemetry/aws";
import {
  commands,
  correlationIdOf,
  createEvent,
  parseEventData,
  subjects,
  TransientError,
  telemetry,
} from "@cml-telemetry/contracts";
import {
  createWindowedPublisher,
  type Delivery,
  type Logger,
  type OpsPublisher,
  startJob,
} from "@cml-telemetry/messaging";
import { type RegionCollector, RegionNotServedError, type WorkerDirectory } from "@cml-telemetry/scheduling";
import type { JetStreamClient } from "@nats-io/jetstream";
import type { AmiNameCache } from "./ami-name-cache.ts";
import { describeTaggedInstances } from "./describe-tagged-instances.ts";
import { discoveryChanged, toDiscoveredData } from "./discovered-data.ts";
import type { WorkerTag } from "./worker-tag.ts";

/** What one discovery of a region found. */
export interface DiscoveryOutcome {
  readonly region: string;
  readonly instances: number;
  readonly pages: number;
  /** `ec2.discovered` events published (new or changed instances). */
  readonly published: number;
  /** Known workers the tag filter did not return, checked with `DescribeInstanceStatus`. */
  readonly missing: number;
}

/** Options of {@link createDiscoveryHandler}. */
export interface DiscoveryHandlerOptions {
  readonly js: JetStreamClient;
  readonly regions: readonly string[];
  readonly clientFor: (region: string) => EC2Client;
  readonly caller: AwsCaller;
  readonly tag: WorkerTag;
  readonly amiNames: AmiNameCache;
  readonly directory: WorkerDirectory;
  /** Reads state and checks of known workers discovery did not return (vanished ones become `terminated`). */
  readonly checkMissing: RegionCollector;
  readonly ops: OpsPublisher;
  readonly logger: Logger;
  readonly onDiscovered?: (outcome: DiscoveryOutcome, durationMs: number) => void;
  readonly now?: () => Date;
}

/**
 * Creates the handler of `cml.cmd.discover.ec2.<region>`: all `DescribeInstances` pages filtered by the worker tag,
 * `ec2.discovered` for instances that are new or differ from the worker directory, and a status check for known
 * workers the filter no longer returns (an instance gone from AWS is reported `terminated`). A failed call
 * publishes `ec2.failed` for the region's known workers and acknowledges the command (the next slot retries).
 */
export function createDiscoveryHandler(
  options: DiscoveryHandlerOptions,
): (delivery: Delivery) => Promise<void> {
  const now = options.now ?? (() => new Date());
  return async (delivery) => {
    const command = parseEventData(commands.discover, delivery.event);
    const { region } = command;
    const correlationId = correlationIdOf(delivery.event);
    const logger = options.logger;
    if (!options.regions.includes(region)) {
      if (delivery.deliveryCount === 1)
        logger.warn(
          { region, correlationId },
          "discover command for a region this replica does not serve (CML_REGIONS); left for a replica that does",
        );
      throw new RegionNotServedError(region);
    }
    const job = startJob(
      options.ops,
      "discover-ec2",
      `discover-ec2:${region}:${command.slot ?? delivery.streamSequence}`,
    );
    const publisher = createWindowedPublisher(options.js, { window: 512 });
    const known = options.directory
      .list()
      .filter((worker) => worker.region === region && worker.status !== "TERMINATED");
    try {
      let found: Awaited<ReturnType<typeof describeTaggedInstances>>;
      try {
        found = await describeTaggedInstances({
          client: options.clientFor(region),
          caller: options.caller,
          region,
          tag: options.tag,
        });
      } catch (error) {
        const failure = describeAwsFailure(error);
        logger.warn(
          { region, correlationId, errorType: failure.errorType, err: failure.errorMessage },
          "discovery failed",
        );
        const observedAt = now().toISOString();
        for (const worker of known) {
          const event = createEvent(telemetry.ec2Failed, {
            source: "collector-ec2",
            subject: worker.id,
            correlationId,
            data: { workerId: worker.id, region, instanceId: worker.instanceId, ...failure, observedAt },
          });
          await publisher.publish(subjects.telemetry("ec2", worker.id), event);
        }
        await publisher.flush();
        job.fail(error);
        return;
      }
      const amiNames = await options.amiNames.resolve(
        region,
        found.instances.map((instance) => instance.ImageId ?? "").filter((id) => id !== ""),
      );
      const observedAt = now();
      const seen = new Set<string>();
      let published = 0;
      for (const instance of found.instances) {
        const data = toDiscoveredData(
          instance,
          region,
          amiNames.get(instance.ImageId ?? "") ?? null,
          observedAt,
        );
        if (!data) continue;
        seen.add(data.workerId);
        const state = options.directory.get(data.workerId);
        // AWS lists terminated instances for about an hour; one never known as a worker is not worth registering.
        if (!state && data.instanceState === "terminated") continue;
        if (!discoveryChanged(data, state)) continue;
        const event = createEvent(telemetry.ec2Discovered, {
          source: "collector-ec2",
          subject: data.workerId,
          correlationId,
          data,
        });
        await publisher.publish(subjects.telemetry("ec2", data.workerId), event);
        published++;
      }
      const missing = known.filter((worker) => !seen.has(worker.id));
      if (missing.length > 0) {
        logger.info(
          { region, correlationId, missing: missing.length },
          "known workers not returned by discovery; checking them",
        );
        await options.checkMissing(
          region,
          missing.map((worker) => ({
            workerId: worker.id,
            region,
            instanceId: worker.instanceId,
            correlationIds: new Set([correlationId]),
          })),
          publisher,
        );
      }
      await publisher.flush();
      const outcome = {
        region,
        instances: found.instances.length,
        pages: found.pages,
        published,
        missing: missing.length,
      };
      const durationMs = job.complete(found.instances.length);
      logger.info({ ...outcome, correlationId, durationMs }, "discovery done");
      options.onDiscovered?.(outcome, durationMs);
    } catch (error) {
      job.fail(error);
      throw new TransientError(`discovery of ${region} could not be published`, {
        cause: error,
        code: "PUBLISH_FAILED",
      });
    }
  };
}
