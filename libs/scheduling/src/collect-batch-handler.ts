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
import { RegionNotServedError } from "./region-not-served-error.ts";
import type { SlotPassClaims } from "./slot-pass-claims.ts";
import type { WorkerDirectory } from "./worker-directory.ts";

/** Collects one region's targets with packed AWS calls and publishes one telemetry (or failed) event per target. */
export type RegionCollector = (
  region: string,
  targets: readonly CollectTarget[],
  publisher: WindowedPublisher,
) => Promise<void>;

/** Default of {@link CollectBatchHandlerOptions.passWaitMs}. */
export const DEFAULT_PASS_WAIT_MS = 90_000;

/** Options of {@link createCollectBatchHandler}. */
export interface CollectBatchHandlerOptions {
  readonly js: JetStreamClient;
  readonly directory: WorkerDirectory;
  readonly claims: SlotPassClaims;
  readonly collectRegion: RegionCollector;
  /** Whether a worker is collected in a scheduled slot (the same rule the scheduler uses). */
  readonly isDue: (worker: WorkerState, slot: number) => boolean;
  /** Regions this replica has AWS clients for; commands of other regions are left to replicas that have them. */
  readonly regions: ReadonlySet<string>;
  /** Handler-side gate: a command for a worker this refuses is acknowledged without a call. */
  readonly accepts: (worker: WorkerState | undefined) => boolean;
  /** `collect-<source>`: job name of the ops events. */
  readonly jobName: string;
  readonly ops: OpsPublisher;
  readonly logger: Logger;
  /**
   * How long commands covered by another replica's pass wait for its outcome before this replica collects them
   * itself (default 90 s). Keep it below the consumer's ack wait unless progress is signalled.
   */
  readonly passWaitMs?: number;
  readonly onCycle?: (job: "pass" | "direct", durationMs: number, workers: number) => void;
  readonly now?: () => number;
}

interface ParsedCommand {
  readonly index: number;
  readonly command: CollectCommand;
  readonly correlationId: string | undefined;
}

/**
 * Creates the batch handler of a collector's durable consumer: refresh commands are collected at once; scheduled
 * commands are grouped by (region, slot) through the slot-pass claims, all packed per region into the collector's
 * AWS calls. A command is acknowledged only when its worker's telemetry is published: by this replica, or by a pass
 * known to have completed. A failed pass fails its own commands (they are redelivered and collected) and makes the
 * replicas holding commands it covered collect them themselves.
 */
export function createCollectBatchHandler(
  options: CollectBatchHandlerOptions,
): (deliveries: readonly Delivery[]) => Promise<ReadonlyArray<unknown>> {
  const now = options.now ?? Date.now;
  const passWaitMs = options.passWaitMs ?? DEFAULT_PASS_WAIT_MS;

  /** Collects targets outside a pass; a failure fails the commands it was for. */
  async function collectDirect(parsed: readonly ParsedCommand[], results: unknown[]): Promise<void> {
    if (parsed.length === 0) return;
    const targets = mergeTargets(parsed.map(targetOf));
    const job = startJob(options.ops, options.jobName, `${options.jobName}:${randomUUID()}`, now);
    try {
      const publisher = createWindowedPublisher(options.js, { window: 512 });
      await Promise.all(
        [...byRegion(targets)].map(([region, group]) => options.collectRegion(region, group, publisher)),
      );
      await flushTelemetry(publisher);
      options.onCycle?.("direct", job.complete(targets.length), targets.length);
    } catch (error) {
      job.fail(error);
      for (const { index } of parsed) results[index] = error;
    }
  }

  /** Runs a pass this replica owns; its outcome is recorded for the other replicas once its telemetry is published. */
  async function runPass(
    pass: { jobId: string; region: string; slot: number; startedAt: number; targets: CollectTarget[] },
    own: readonly ParsedCommand[],
    results: unknown[],
  ): Promise<void> {
    try {
      const publisher = createWindowedPublisher(options.js, { window: 512 });
      await options.collectRegion(pass.region, pass.targets, publisher);
      await flushTelemetry(publisher);
      const durationMs = now() - pass.startedAt;
      await options.claims.finish(pass.region, pass.slot, "completed", {
        entriesProcessed: pass.targets.length,
        durationMs,
      });
      options.ops.jobCompleted({
        jobId: pass.jobId,
        jobName: options.jobName,
        entriesProcessed: pass.targets.length,
        durationMs,
      });
      options.onCycle?.("pass", durationMs, pass.targets.length);
    } catch (error) {
      const durationMs = now() - pass.startedAt;
      await options.claims.finish(pass.region, pass.slot, "failed", {
        entriesProcessed: 0,
        durationMs,
        error,
      });
      options.ops.jobFailed({
        jobId: pass.jobId,
        jobName: options.jobName,
        durationMs,
        errorType: error instanceof Error ? error.name : "Error",
        errorMessage: error instanceof Error ? error.message : String(error),
      });
      options.logger.warn(
        { jobId: pass.jobId, err: error instanceof Error ? error.message : String(error) },
        "slot pass failed; its commands are collected again",
      );
      for (const { index } of own) results[index] = error;
    }
  }

  return async (deliveries) => {
    const results: unknown[] = deliveries.map(() => undefined);
    const accepted: ParsedCommand[] = [];
    deliveries.forEach((delivery, index) => {
      try {
        const command = parseEventData(commands.collect, delivery.event);
        if (!options.regions.has(command.region)) {
          if (delivery.deliveryCount === 1) {
            options.logger.warn(
              {
                workerId: command.workerId,
                region: command.region,
                correlationId: correlationIdOf(delivery.event),
              },
              "collect command for a region this replica does not serve (CML_REGIONS); left for a replica that does",
            );
          }
          results[index] = new RegionNotServedError(command.region);
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

    const direct: ParsedCommand[] = [];
    const scheduled = new Map<string, { region: string; slot: number; group: ParsedCommand[] }>();
    for (const parsed of accepted) {
      const { command } = parsed;
      if (command.reason === "refresh" || command.slot === undefined) {
        options.logger.debug(
          { workerId: command.workerId, region: command.region, correlationId: parsed.correlationId },
          "collecting on request",
        );
        direct.push(parsed);
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
        return { region, slot, group, pass, dueTargets };
      }),
    );

    const ownPasses: Array<Promise<void>> = [];
    const awaitingOutcome: Array<{ region: string; slot: number; jobId: string; group: ParsedCommand[] }> =
      [];
    for (const { region, slot, group, pass, dueTargets } of resolved) {
      if (pass.fresh && pass.owner) {
        for (const parsed of group) pass.covered.add(parsed.command.workerId);
        options.ops.jobStarted({ jobId: pass.jobId, jobName: options.jobName });
        const targets = mergeTargets([...dueTargets, ...group.map(targetOf)]);
        ownPasses.push(
          runPass({ jobId: pass.jobId, region, slot, startedAt: pass.startedAt, targets }, group, results),
        );
        continue;
      }
      const covered: ParsedCommand[] = [];
      for (const parsed of group) {
        if (pass.covered.has(parsed.command.workerId)) covered.push(parsed);
        else {
          pass.covered.add(parsed.command.workerId);
          direct.push(parsed);
        }
      }
      if (covered.length > 0) awaitingOutcome.push({ region, slot, jobId: pass.jobId, group: covered });
    }

    // Commands covered by a pass are acknowledged once it completed; if it failed or did not end in time, they are
    // collected here, so no worker misses its slot.
    const uncovered: ParsedCommand[] = [];
    const outcomes = Promise.all(
      awaitingOutcome.map(async ({ region, slot, jobId, group }) => {
        const outcome = await options.claims.outcomeOf(region, slot, passWaitMs);
        if (outcome === "completed") return;
        options.logger.warn(
          { jobId, outcome: outcome ?? "unknown", commands: group.length },
          "slot pass did not complete; collecting the commands it covered",
        );
        uncovered.push(...group);
      }),
    );
    await Promise.all([...ownPasses, collectDirect(direct, results), outcomes]);
    await collectDirect(uncovered, results);
    return results;
  };
}

async function flushTelemetry(publisher: WindowedPublisher): Promise<void> {
  try {
    await publisher.flush();
  } catch (error) {
    throw new TransientError("telemetry could not be published", { cause: error, code: "PUBLISH_FAILED" });
  }
}

function targetOf(parsed: ParsedCommand): CollectTarget {
  return {
    workerId: parsed.command.workerId,
    region: parsed.command.region,
    instanceId: parsed.command.instanceId,
    correlationIds: new Set([parsed.correlationId]),
  };
}
