import { createEvent, opsEvents, type ServiceName, subjects } from "@cml-telemetry/contracts";
import { type Logger, publishEvent } from "@cml-telemetry/messaging";
import type { JetStreamClient } from "@nats-io/jetstream";

/**
 * Who collects the scheduled commands of one region in one slot. Replicas share one work-queue consumer, which
 * spreads a slot's commands over them; to keep AWS calls packed as if one replica ran, the first replica to handle
 * a command of (region, slot) claims the slot's pass and collects every worker due in it, and the others
 * acknowledge the commands of workers that were due when they saw the claim taken.
 */
export interface SlotPass {
  /** This replica runs the pass (it won the claim, or claiming was impossible). */
  readonly owner: boolean;
  /** True for the call that created the claim: the owner runs the pass now. */
  readonly fresh: boolean;
  /** Job id of the pass (`<jobName>:<region>:<slot>`), also its `job.started` event id. */
  readonly jobId: string;
  /** Workers covered by the pass (the owner's, or the ones this replica believes the owner covers). */
  readonly covered: Set<string>;
  /** When this replica resolved the claim (epoch ms). */
  readonly startedAt: number;
}

/** Resolves slot-pass claims, remembering them for a few slots. */
export interface SlotPassClaims {
  resolve(region: string, slot: number, dueWorkerIds: () => Iterable<string>): Promise<SlotPass>;
}

/**
 * Creates the claims of one collector. A claim is the pass's `job.started` ops event published with the job id
 * as `Nats-Msg-Id`: JetStream keeps the first and reports later ones as duplicates. When CML_OPS is absent the
 * replica owns the pass (more calls, nothing missed).
 */
export function createSlotPassClaims(options: {
  js: JetStreamClient;
  service: ServiceName;
  jobName: string;
  logger: Logger;
  /** Claims older than this many seconds are forgotten (default 3600). */
  retainSeconds?: number;
  now?: () => number;
}): SlotPassClaims {
  const now = options.now ?? Date.now;
  const retainSeconds = options.retainSeconds ?? 3_600;
  const passes = new Map<string, SlotPass>();
  const pending = new Map<string, Promise<SlotPass>>();

  async function claim(jobId: string): Promise<boolean> {
    const event = createEvent(opsEvents.jobStarted, {
      source: options.service,
      id: jobId,
      data: { jobId, jobName: options.jobName },
    });
    try {
      const ack = await publishEvent(options.js, subjects.opsJob(options.service), event, {
        msgId: jobId,
        timeoutMs: 2_000,
      });
      return !ack.duplicate;
    } catch (error) {
      options.logger.warn(
        { jobId, err: (error as Error).message },
        "slot pass could not be claimed; this replica collects its commands itself",
      );
      return true;
    }
  }

  function prune(slot: number): void {
    for (const key of passes.keys()) {
      const passSlot = Number(key.slice(key.lastIndexOf(":") + 1));
      if (passSlot < slot - retainSeconds) passes.delete(key);
    }
  }

  return {
    async resolve(region, slot, dueWorkerIds) {
      const jobId = `${options.jobName}:${region}:${slot}`;
      const known = passes.get(jobId);
      if (known) return { ...known, fresh: false };
      const inFlight = pending.get(jobId);
      if (inFlight) return { ...(await inFlight), fresh: false };
      const resolving = (async (): Promise<SlotPass> => {
        const startedAt = now();
        const owner = await claim(jobId);
        const pass: SlotPass = { owner, fresh: true, jobId, covered: new Set(dueWorkerIds()), startedAt };
        passes.set(jobId, pass);
        prune(slot);
        return pass;
      })();
      pending.set(jobId, resolving);
      try {
        return await resolving;
      } finally {
        pending.delete(jobId);
      }
    },
  };
}
