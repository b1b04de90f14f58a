/** Start of the schedule slot containing `nowMs`, in epoch seconds (slots are aligned to the epoch). */
export function slotOf(nowMs: number, intervalSeconds: number): number {
  const seconds = Math.floor(nowMs / 1000);
  return seconds - (seconds % intervalSeconds);
}

/**
 * Msg-id of a scheduled command: `<source>:<key>:<slotStartEpoch>`. Every replica publishing the same slot's
 * command produces the same id, so JetStream keeps exactly one.
 */
export function scheduledCommandId(source: string, key: string, slot: number): string {
  return `${source}:${key}:${slot}`;
}
