import { commands, createEvent, subjects } from "@cml-telemetry/contracts";
import type { Logger } from "@cml-telemetry/messaging";
import { publishEvent } from "@cml-telemetry/messaging";
import type { JetStreamClient } from "@nats-io/jetstream";

/** A running ticker. */
export interface IdleTicker {
  stop(): void;
}

/** `Nats-Msg-Id` of the idle tick of a slot; every replica publishes the same id, so JetStream keeps one. */
export function detectIdleMsgId(slot: number): string {
  return `worker-aggregate:detect-idle:${slot}`;
}

/** Start (epoch seconds) of the slot `now` falls in. */
export function slotOf(now: Date, intervalSeconds: number): number {
  return Math.floor(now.getTime() / 1000 / intervalSeconds) * intervalSeconds;
}

/** Publishes the idle-detection command of the slot `now` falls in. */
export async function publishDetectIdle(
  js: JetStreamClient,
  now: Date,
  intervalSeconds: number,
): Promise<number> {
  const slot = slotOf(now, intervalSeconds);
  const id = detectIdleMsgId(slot);
  await publishEvent(
    js,
    subjects.detectIdle,
    createEvent(commands.detectIdle, { source: "worker-aggregate", id, data: { slot } }),
  );
  return slot;
}

/**
 * Publishes a `detectIdle` command at every slot boundary (every `intervalSeconds`), deduplicated across replicas
 * by its msg-id. Publish failures are logged; the next slot tries again.
 */
export function startIdleTicker(options: {
  js: JetStreamClient;
  intervalSeconds: number;
  clock: () => Date;
  logger: Logger;
}): IdleTicker {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const schedule = (): void => {
    if (stopped) return;
    const intervalMs = options.intervalSeconds * 1000;
    const delay = intervalMs - (options.clock().getTime() % intervalMs);
    timer = setTimeout(() => {
      publishDetectIdle(options.js, options.clock(), options.intervalSeconds)
        .catch((error: unknown) =>
          options.logger.warn(
            { err: (error as Error).message },
            "idle-detection tick could not be published",
          ),
        )
        .finally(schedule);
    }, delay);
    timer.unref();
  };
  schedule();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
