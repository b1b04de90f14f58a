import {
  createEvent,
  decodeEvent,
  encodeEvent,
  opsEvents,
  type ServiceName,
  subjects,
} from "@cml-telemetry/contracts";
import type { Logger } from "@cml-telemetry/messaging";
import {
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamClient,
  type JetStreamManager,
} from "@nats-io/jetstream";

/**
 * Who collects the scheduled commands of one region in one slot. Replicas share one work-queue consumer, which
 * spreads a slot's commands over them; to keep AWS calls packed as if one replica ran, the first replica to handle
 * a command of (region, slot) claims the slot's pass and collects every worker due in it. The others acknowledge the
 * commands of workers the pass covers only once it has completed; a failed or vanished pass leaves them to collect.
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

/** How a slot pass ended: its telemetry was published (`completed`), or not (`failed`). */
export type PassOutcome = "completed" | "failed";

/** Resolves slot-pass claims, remembering them for a few slots, and shares how each pass ended. */
export interface SlotPassClaims {
  resolve(region: string, slot: number, dueWorkerIds: () => Iterable<string>): Promise<SlotPass>;
  /** The owner reports how its pass ended (after its telemetry is flushed); other replicas wait for this. */
  finish(region: string, slot: number, outcome: PassOutcome, details: PassDetails): Promise<void>;
  /**
   * How the pass of (region, slot) ended: known here, or read from its subject, waiting up to `timeoutMs` while it
   * still runs. Undefined when it has not ended in time (the owner may be gone).
   */
  outcomeOf(region: string, slot: number, timeoutMs: number): Promise<PassOutcome | undefined>;
}

/** What the outcome record of a pass says besides the outcome. */
export interface PassDetails {
  readonly entriesProcessed: number;
  readonly durationMs: number;
  readonly error?: unknown;
}

/** How often a waiting replica looks at a pass still running. */
const OUTCOME_POLL_MS = 250;

/**
 * Creates the claims of one collector. A claim is the pass's `job.started` ops event, published on the pass's own
 * subject (`subjects.opsPass`) only if that subject is empty (`Nats-Expected-Last-Subject-Sequence: 0`), so the first
 * replica wins and the claim holds as long as `CML_OPS` keeps it (days), whatever the slot length. The owner then
 * publishes `job.completed` or `job.failed` on the same subject. When CML_OPS is absent every replica owns its passes
 * (more calls, nothing missed).
 */
export function createSlotPassClaims(options: {
  js: JetStreamClient;
  jsm: JetStreamManager;
  /** Name of the `CML_OPS` stream. */
  opsStream: string;
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
  const outcomes = new Map<string, PassOutcome>();
  const jobIdOf = (region: string, slot: number) => `${options.jobName}:${region}:${slot}`;

  async function claim(region: string, slot: number, jobId: string): Promise<boolean> {
    const event = createEvent(opsEvents.jobStarted, {
      source: options.service,
      id: jobId,
      data: { jobId, jobName: options.jobName },
    });
    try {
      const ack = await options.js.publish(
        subjects.opsPass(options.service, region, slot),
        encodeEvent(event),
        {
          msgID: event.id,
          expect: { lastSubjectSequence: 0 },
          timeout: 2_000,
        },
      );
      // Within the duplicate window a second claim with the same id is answered as a duplicate, not refused.
      return !ack.duplicate;
    } catch (error) {
      if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamWrongLastSequence)
        return false;
      options.logger.warn(
        { jobId, err: (error as Error).message },
        "slot pass could not be claimed; this replica collects its commands itself",
      );
      return true;
    }
  }

  async function readOutcome(region: string, slot: number): Promise<PassOutcome | undefined> {
    const stored = await options.jsm.streams
      .getMessage(options.opsStream, { last_by_subj: subjects.opsPass(options.service, region, slot) })
      .catch((error: unknown) => {
        options.logger.warn(
          { region, slot, err: (error as Error).message },
          "slot pass outcome could not be read",
        );
        return null;
      });
    if (!stored) return undefined;
    const type = decodeEvent(stored.data).type;
    if (type === opsEvents.jobCompleted.type) return "completed";
    if (type === opsEvents.jobFailed.type) return "failed";
    return undefined;
  }

  function prune(slot: number): void {
    for (const key of passes.keys()) {
      const passSlot = Number(key.slice(key.lastIndexOf(":") + 1));
      if (passSlot < slot - retainSeconds) {
        passes.delete(key);
        outcomes.delete(key);
      }
    }
  }

  return {
    async resolve(region, slot, dueWorkerIds) {
      const jobId = jobIdOf(region, slot);
      const known = passes.get(jobId);
      if (known) return { ...known, fresh: false };
      const inFlight = pending.get(jobId);
      if (inFlight) return { ...(await inFlight), fresh: false };
      const resolving = (async (): Promise<SlotPass> => {
        const startedAt = now();
        const owner = await claim(region, slot, jobId);
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

    async finish(region, slot, outcome, details) {
      const jobId = jobIdOf(region, slot);
      outcomes.set(jobId, outcome);
      const source = options.service;
      const data = { jobId, jobName: options.jobName, durationMs: details.durationMs };
      const event =
        outcome === "completed"
          ? createEvent(opsEvents.jobCompleted, {
              source,
              data: { ...data, entriesProcessed: details.entriesProcessed },
            })
          : createEvent(opsEvents.jobFailed, {
              source,
              data: {
                ...data,
                errorType: details.error instanceof Error ? details.error.name : "Error",
                errorMessage: details.error instanceof Error ? details.error.message : String(details.error),
              },
            });
      await options.js
        .publish(subjects.opsPass(options.service, region, slot), encodeEvent(event), {
          msgID: event.id,
          timeout: 2_000,
        })
        .catch((error: unknown) =>
          options.logger.warn(
            { jobId, outcome, err: (error as Error).message },
            "slot pass outcome could not be published; other replicas collect its commands themselves",
          ),
        );
    },

    async outcomeOf(region, slot, timeoutMs) {
      const jobId = jobIdOf(region, slot);
      // A real wait, measured on the monotonic clock whatever clock the collector runs on.
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        const known = outcomes.get(jobId) ?? (await readOutcome(region, slot));
        if (known) {
          outcomes.set(jobId, known);
          return known;
        }
        const left = deadline - performance.now();
        if (left <= 0) return undefined;
        await new Promise((resolve) => setTimeout(resolve, Math.min(OUTCOME_POLL_MS, left)));
      }
    },
  };
}
