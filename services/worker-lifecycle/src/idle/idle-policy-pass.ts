import { commands, createEvent, subjects } from "@cml-telemetry/contracts";
import { evaluateIdleStop, type IdleStopPolicyConfig } from "@cml-telemetry/lifecycle";
import { type Logger, publishEvent, publishLifecycleCommand } from "@cml-telemetry/messaging";
import type { SlotPassClaims, WorkerDirectory } from "@cml-telemetry/scheduling";
import type { JetStreamClient } from "@nats-io/jetstream";
import { idleDecisionMessage } from "./idle-decision-messages.ts";

/** What one pass of the idle policy needs. */
export interface IdlePolicyPassDeps {
  readonly js: JetStreamClient;
  readonly directory: WorkerDirectory;
  /** Slot-pass claims: one replica runs each region's pass of a slot. */
  readonly claims: SlotPassClaims;
  readonly policy: IdleStopPolicyConfig;
  readonly now: () => Date;
  readonly logger: Logger;
  /** Called for every stop or skip sent. */
  readonly onDecision?: (decision: "stop" | "skip", reason: string) => void;
}

/** What a region's pass sent. */
export interface IdlePassResult {
  readonly region: string;
  readonly evaluated: number;
  readonly stops: number;
  readonly skips: number;
}

/**
 * Runs the idle auto-stop policy over every worker of the read model, one pass per region and slot across replicas
 * (the replica that wins the slot's claim; the others leave it): idle workers are asked to stop (`reason:
 * "idle-policy"`, dry-run in mode `dry-run`), those the policy leaves running get a skip the aggregate records once per
 * idle period. A worker whose message fails is logged and tried again next slot; the pass goes on.
 */
export async function runIdlePolicyPass(deps: IdlePolicyPassDeps, slot: number): Promise<IdlePassResult[]> {
  if (deps.policy.mode === "off") return [];
  const byRegion = new Map<string, ReturnType<WorkerDirectory["list"]>>();
  for (const state of deps.directory.list()) {
    if (state.region === "" || state.terminatedAt !== null) continue;
    byRegion.set(state.region, [...(byRegion.get(state.region) ?? []), state]);
  }
  const results: IdlePassResult[] = [];
  for (const [region, workers] of byRegion) {
    const pass = await deps.claims.resolve(region, slot, () => workers.map((worker) => worker.id));
    if (!pass.owner || !pass.fresh) continue;
    const startedAt = performance.now();
    let stops = 0;
    let skips = 0;
    let failures = 0;
    for (const state of workers) {
      const now = deps.now();
      const decision = evaluateIdleStop(state, now, deps.policy);
      const message = idleDecisionMessage(state, decision, deps.policy.mode, now);
      if (message === undefined) continue;
      try {
        if (message.kind === "stop") {
          await publishLifecycleCommand(deps.js, message.command, {
            source: "worker-lifecycle",
            correlationId: message.command.requestId,
            time: now,
          });
          stops += 1;
          deps.onDecision?.("stop", "idle");
        } else {
          await publishEvent(
            deps.js,
            subjects.idlePolicy(state.id),
            createEvent(commands.idlePolicy, {
              source: "worker-lifecycle",
              subject: state.id,
              id: message.id,
              data: message.command,
              time: now,
            }),
          );
          skips += 1;
          deps.onDecision?.("skip", message.command.reason);
        }
        deps.logger.info(
          {
            workerId: state.id,
            decision: message.kind,
            reason: message.kind === "skip" ? message.command.reason : "idle",
            mode: deps.policy.mode,
          },
          message.kind === "stop" ? "idle worker: stop requested" : "idle worker left running",
        );
      } catch (error) {
        failures += 1;
        deps.logger.warn(
          { workerId: state.id, err: (error as Error).message },
          "idle policy decision could not be sent; retried next slot",
        );
      }
    }
    const details = {
      entriesProcessed: workers.length,
      durationMs: Math.round(performance.now() - startedAt),
    };
    await deps.claims.finish(
      region,
      slot,
      failures === 0 ? "completed" : "failed",
      failures === 0 ? details : { ...details, error: new Error(`${failures} decision(s) not sent`) },
    );
    results.push({ region, evaluated: workers.length, stops, skips });
  }
  return results;
}
