import type { AwsCallObserver } from "@cml-telemetry/aws";
import type { Ec2Action } from "@cml-telemetry/contracts";
import type { Outcome } from "@cml-telemetry/messaging";
import type { Meter } from "@opentelemetry/api";
import type { PermissionCheck } from "../permissions/check-permissions.ts";

/** Self-metrics of a worker-lifecycle replica. */
export interface LifecycleMetrics {
  /** Counts `aws_calls_total{action,region,outcome}` (EC2 and Pricing, after the SDK's own retries). */
  readonly observeAwsCall: AwsCallObserver;
  /** Counts `lifecycle_requests_total{action,reason,outcome}`: requests executed (not outcomes published again). */
  recordRequest(outcome: Ec2Action): void;
  /** Counts `idle_policy_decisions_total{decision,reason}`: stops asked for and skips sent. */
  recordIdleDecision(decision: "stop" | "skip", reason: string): void;
  /** Records `idle_policy_pass_duration_seconds`. */
  recordIdlePass(durationMs: number): void;
  /** Counts `commands_handled_total{outcome}`. */
  onOutcome(outcome: Outcome): void;
  /** Sets `lifecycle_permission{permission,region}`: 1 allowed, 0 denied, -1 not known. */
  setPermissions(checks: readonly PermissionCheck[]): void;
}

/** Creates the self-metrics on the service's meter. */
export function createLifecycleMetrics(meter: Meter): LifecycleMetrics {
  const awsCalls = meter.createCounter("aws_calls_total", {
    description: "AWS API calls by action, region and outcome",
  });
  const requests = meter.createCounter("lifecycle_requests_total", {
    description: "Lifecycle requests executed, by action, reason and outcome",
  });
  const decisions = meter.createCounter("idle_policy_decisions_total", {
    description: "Stops asked for and skips sent by the idle auto-stop policy",
  });
  const passes = meter.createHistogram("idle_policy_pass_duration_seconds", {
    description: "Duration of the idle auto-stop passes this replica ran",
    unit: "s",
  });
  const handled = meter.createCounter("commands_handled_total", {
    description: "Lifecycle commands handled by outcome (ack, nak, term)",
  });
  let permissions: readonly PermissionCheck[] = [];
  meter
    .createObservableGauge("lifecycle_permission", {
      description: "EC2 permission as a dry run found it at start: 1 allowed, 0 denied, -1 not known",
    })
    .addCallback((result) => {
      for (const check of permissions) {
        const value = check.state === "allowed" ? 1 : check.state === "denied" ? 0 : -1;
        result.observe(value, { permission: check.permission, region: check.region });
      }
    });
  return {
    observeAwsCall: (action, region, outcome) => awsCalls.add(1, { action, region, outcome }),
    recordRequest: (outcome) =>
      requests.add(1, { action: outcome.action, reason: outcome.reason, outcome: outcome.outcome }),
    recordIdleDecision: (decision, reason) => decisions.add(1, { decision, reason }),
    recordIdlePass: (durationMs) => passes.record(durationMs / 1000),
    onOutcome: (outcome) => handled.add(1, { outcome }),
    setPermissions: (checks) => {
      permissions = checks;
    },
  };
}
