import { randomUUID } from "node:crypto";
import {
  type CollectCommand,
  commands,
  correlationIdOf,
  parseEventData,
  TransientError,
  type WorkerState,
} from "@cml-telemetry/contracts";
import {
  createWindowedPublisher,
  type Delivery,
  type Logger,
  type OpsPublisher,
  startJob,
  type WindowedPublisher,
} from "@cml-telemetry/messaging";
import type { JetStreamClient } from "@nats-io/jetstream";
import { byRegion, type CollectTarget, mergeTargets } from "./collect-target.ts";
import type { SlotPassClaims } from "./slot-pass-claims.ts";
import type { WorkerDirectory } from "./worker-directory.ts";

/** Collects one region's targets with packed AWS calls and publishes one telemetry (or failed) event per target. */
export type RegionCollector = (
  region: string,
  targets: readonly CollectTarget[],
  publisher: WindowedPublisher,
) => Promise<void>;

/** Options of {@link createCollectBatchHandler}. */
export interface CollectBatchHandlerOptions {
  readonly js: JetStreamClient;
  readonly directory: WorkerDirectory;
  readonly claims: SlotPassClaims;
  readonly collectRegion: RegionCollector;
  /** Whether a worker is collected in a scheduled slot (the same rule the scheduler uses). */
  readonly isDue: (worker: WorkerState, slot: number) => boolean;
  /** Regions this replica has AWS clients for; commands of other regions are acknowledged with a warning. */
  readonly regions: ReadonlySet<string>;
  /** Handler-side gate: a command for a worker this refuses is acknowledged without a call. */
  readonly accepts: (worker: WorkerState | undefined) => boolean;
  /** `collect-<source>`: job name of the ops events. */
  readonly jobName: string;
  readonly ops: OpsPublisher;
  readonly logger: Logger;
  readonly onCycle?: (job: "pass" | "direct", durationMs: number, workers: number) => void;
  readonly now?: () => number;
}

interface ParsedCommand {
  readonly index: number;
  readonly command: CollectCommand;
  readonly correlationId: string | undefined;
}

/**
 * Creates the batch handler of a collector's durable consumer: refresh commands first, then scheduled commands
 * grouped by (region, slot) through the slot-pass claims, all packed per region into the collector's AWS calls.
 */
export function createCollectBatchHandler(
  options: CollectBatchHandlerOptions,
): (deliveries: readonly Delivery[]) => Promise<ReadonlyArray<unknown>> {
  const now = options.now ?? Date.now;
  return async (deliveries) => {
    const results: unknown[] = deliveries.map(() => undefined);
    const accepted: ParsedCommand[] = [];
    deliveries.forEach((delivery, index) => {
      try {
        const command = parseEventData(commands.collect, delivery.event);
        if (!options.regions.has(command.region)) {
          options.logger.warn(
            {
              workerId: command.workerId,
              region: command.region,
              correlationId: correlationIdOf(delivery.event),
            },
            "collect command for a region this collector does not serve (CML_REGIONS); skipped",
          );
          return;
        }
        if (!options.accepts(options.directory.get(command.workerId))) {
          options.logger.debug(
            { workerId: command.workerId, region: command.region },
            "collect command skipped: worker not collectable now",
          );
          return;
        }
        accepted.push({ index, command, correlationId: correlationIdOf(delivery.event) });
      } catch (error) {
        results[index] = error;
      }
    });
    if (accepted.length === 0) return results;

    const direct: CollectTarget[] = [];
    const passes: Array<{ jobId: string; region: string; startedAt: number; targets: CollectTarget[] }> = [];
    const scheduled = new Map<string, { region: string; slot: number; group: ParsedCommand[] }>();
    for (const parsed of accepted) {
      const { command } = parsed;
      if (command.reason === "refresh" || command.slot === undefined) {
        options.logger.debug(
          { workerId: command.workerId, region: command.region, correlationId: parsed.correlationId },
          "collecting on request",
        );
        direct.push(targetOf(parsed));
      } else {
        const key = `${command.region}:${command.slot}`;
        const entry = scheduled.get(key) ?? { region: command.region, slot: command.slot, group: [] };
        entry.group.push(parsed);
        scheduled.set(key, entry);
      }
    }
    // A slot seen for the first time is claimed for every region with due workers at once, so the passes of all
    // regions run together in this batch instead of waiting for batches that happen to hold their commands.
    const groups = [...scheduled.values()];
    for (const slot of new Set(groups.map((g) => g.slot))) {
      const regions = new Set(
        options.directory
          .list()
          .filter((worker) => options.regions.has(worker.region) && options.isDue(worker, slot))
          .map((worker) => worker.region),
      );
      for (const region of regions) {
        if (!scheduled.has(`${region}:${slot}`)) groups.push({ region, slot, group: [] });
      }
    }
    const resolved = await Promise.all(
      groups.map(async ({ region, slot, group }) => {
        let dueTargets: CollectTarget[] = [];
        const pass = await options.claims.resolve(region, slot, () => {
          dueTargets = options.directory
            .list()
            .filter((worker) => worker.region === region && options.isDue(worker, slot))
            .map((worker) => ({
              workerId: worker.id,
              region,
              instanceId: worker.instanceId,
              correlationIds: new Set([undefined]),
            }));
          return dueTargets.map((target) => target.workerId);
        });
        return { region, group, pass, dueTargets };
      }),
    );
    for (const { region, group, pass, dueTargets } of resolved) {
      if (pass.fresh && pass.owner) {
        passes.push({
          jobId: pass.jobId,
          region,
          startedAt: pass.startedAt,
          targets: mergeTargets([...dueTargets, ...group.map(targetOf)]),
        });
        for (const parsed of group) pass.covered.add(parsed.command.workerId);
        continue;
      }
      for (const parsed of group) {
        if (pass.covered.has(parsed.command.workerId)) continue;
        pass.covered.add(parsed.command.workerId);
        direct.push(targetOf(parsed));
      }
    }

    const publisher = createWindowedPublisher(options.js, { window: 512 });
    if (direct.length > 0) {
      const targets = mergeTargets(direct);
      const job = startJob(options.ops, options.jobName, `${options.jobName}:${randomUUID()}`, now);
      try {
        await Promise.all(
          [...byRegion(targets)].map(([region, group]) => options.collectRegion(region, group, publisher)),
        );
        options.onCycle?.("direct", job.complete(targets.length), targets.length);
      } catch (error) {
        job.fail(error);
        throw error;
      }
    }
    await Promise.all(
      passes.map(async (pass) => {
        try {
          await options.collectRegion(pass.region, pass.targets, publisher);
          const durationMs = now() - pass.startedAt;
          options.ops.jobCompleted({
            jobId: pass.jobId,
            jobName: options.jobName,
            entriesProcessed: pass.targets.length,
            durationMs,
          });
          options.onCycle?.("pass", durationMs, pass.targets.length);
        } catch (error) {
          options.ops.jobFailed({
            jobId: pass.jobId,
            jobName: options.jobName,
            durationMs: now() - pass.startedAt,
            errorType: error instanceof Error ? error.name : "Error",
            errorMessage: error instanceof Error ? error.message : String(error),
          });
          throw error;
        }
      }),
    );
    try {
      await publisher.flush();
    } catch (error) {
      throw new TransientError("telemetry could not be published", { cause: error, code: "PUBLISH_FAILED" });
    }
    return results;
  };
}

function targetOf(parsed: ParsedCommand): CollectTarget {
  return {
    workerId: parsed.command.workerId,
    region: parsed.command.region,
    instanceId: parsed.command.instanceId,
    correlationIds: new Set([parsed.correlationId]),
  };
}
