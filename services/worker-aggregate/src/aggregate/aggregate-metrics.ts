import type { Meter } from "@opentelemetry/api";
import type { CommandOutcome } from "./apply-commands.ts";

/** Self-metrics of the aggregate. */
export interface AggregateMetrics {
  /**
   * One input handled: its command type and what became of it (applied, ignored, duplicate, unknown-worker;
   * rejected: malformed or too large to store; identity-mismatch: its workerId is not the one of its region and
   * instance id; failed: to be retried; gave-up: failed through every redelivery allowed).
   */
  inputHandled(
    type: string,
    outcome: CommandOutcome | "rejected" | "identity-mismatch" | "failed" | "gave-up",
  ): void;
  /** A compare-and-set write lost against another writer. */
  casConflict(): void;
  /** Domain events newly published (JetStream duplicates not counted). */
  eventsPublished(count: number): void;
}

/** Metrics that record nothing (tests, benchmarks). */
export const noopAggregateMetrics: AggregateMetrics = {
  inputHandled() {},
  casConflict() {},
  eventsPublished() {},
};

/** OpenTelemetry counters of the aggregate. */
export function createAggregateMetrics(meter: Meter): AggregateMetrics {
  const handled = meter.createCounter("worker_aggregate_inputs_total", {
    description: "Inputs (telemetry and commands) handled, by type and outcome",
  });
  const conflicts = meter.createCounter("worker_aggregate_cas_conflicts_total", {
    description: "KV compare-and-set conflicts (re-read and re-decided)",
  });
  const published = meter.createCounter("worker_aggregate_events_published_total", {
    description: "Domain events published",
  });
  return {
    inputHandled: (type, outcome) => handled.add(1, { type, outcome }),
    casConflict: () => conflicts.add(1),
    eventsPublished: (count) => published.add(count),
  };
}
