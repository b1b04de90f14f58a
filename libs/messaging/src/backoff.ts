/** Exponential backoff for redelivery: 1 s, 2 s, 4 s … capped at 60 s, by delivery count (1-based). */
export function redeliveryBackoffMs(deliveryCount: number, baseMs = 1_000, capMs = 60_000): number {
  const exponent = Math.max(0, Math.min(16, deliveryCount - 1));
  return Math.min(capMs, baseMs * 2 ** exponent);
}
