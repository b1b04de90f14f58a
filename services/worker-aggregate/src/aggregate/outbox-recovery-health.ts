import type { OutboxRecoveryProgress } from "./recover-outboxes.ts";

/**
 * The `/readyz` check of the start-up outbox scan: ready once nothing is pending, else what is pending. Workers given
 * up on are named in the detail but do not hold readiness back (their records need an operator; the logs name them).
 * @example outboxRecoveryHealth(progress) // { ready: false, detail: "12 of 30000 worker outboxes pending" }
 */
export function outboxRecoveryHealth(progress: OutboxRecoveryProgress): { ready: boolean; detail: string } {
  if (!progress.listed) return { ready: false, detail: "listing the workers" };
  const failed = progress.failed > 0 ? `; ${progress.failed} given up (see the logs)` : "";
  if (progress.pending > 0) {
    return {
      ready: false,
      detail: `${progress.pending} of ${progress.total} worker outboxes pending${failed}`,
    };
  }
  return { ready: true, detail: `${progress.checked} worker outboxes checked${failed}` };
}
