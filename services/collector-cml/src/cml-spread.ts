/** Seconds kept free at the end of a slot beyond the call deadline, when a slot's commands are spread. */
const SPREAD_MARGIN_SECONDS = 5;

/**
 * Over how many seconds of its slot a slot's commands are spread: all of it but the call deadline and a margin,
 * so each collection of a slot ends within it (0 for intervals too short to spread).
 */
export function cmlSpreadSeconds(intervalSeconds: number, timeoutSeconds: number): number {
  return Math.max(0, intervalSeconds - timeoutSeconds - SPREAD_MARGIN_SECONDS);
}
