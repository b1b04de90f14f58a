import { AwsApiError } from "./aws-api-error.ts";
import type { AwsService } from "./aws-service.ts";

/**
 * What a fault does to a matching call: `throttle`, `error`, `latency`, `deny` (the caller lacks the IAM permission:
 * CloudWatch `AccessDenied`, EC2 `UnauthorizedOperation`), or `result-status` (GetMetricData answers, but the
 * matching results carry a `StatusCode` of `resultStatus` and no datapoints).
 */
export type FaultKind = "throttle" | "error" | "latency" | "deny" | "result-status";

/** A per-result status of GetMetricData that is a failure. */
export type FailedResultStatus = "InternalError" | "Forbidden";

/** A fault to inject; without `count` or `durationMs` it holds until removed. */
export interface FaultRuleInput {
  service: AwsService;
  /** Operation name, e.g. `DescribeInstances`; omitted: every operation of the service. */
  action?: string;
  /** Omitted: every region. */
  region?: string;
  kind: FaultKind;
  /** Apply to the next N matching calls only. */
  count?: number;
  /** Apply for this long from now. */
  durationMs?: number;
  /** Added delay for `latency` faults. */
  latencyMs?: number;
  /** Overrides of the error answered by `error` faults (default EC2 `InternalError`, CloudWatch `InternalFailure`, HTTP 500). */
  errorCode?: string;
  errorMessage?: string;
  statusCode?: number;
  /** `result-status` faults: the status of the matching results (default `InternalError`). */
  resultStatus?: FailedResultStatus;
  /** `result-status` faults: only results of this metric (e.g. `mem_used_percent`). */
  metricName?: string;
  /** `result-status` faults: only results of this instance. */
  instanceId?: string;
}

/** An active fault. */
export interface FaultRule extends FaultRuleInput {
  id: string;
  /** Calls still to affect, null when unbounded. */
  remaining: number | null;
  /** Epoch ms when the rule expires, null when unbounded. */
  until: number | null;
  /** Calls affected so far. */
  hits: number;
}

/** The outcome of fault evaluation for one call. */
export interface FaultDecision {
  delayMs: number;
  error?: AwsApiError;
}

/** Holds injected faults and decides, per call, whether to delay or fail it. */
export interface FaultInjector {
  add(input: FaultRuleInput): FaultRule;
  list(): FaultRule[];
  remove(id: string): boolean;
  clear(): void;
  evaluate(service: AwsService, action: string, region: string): FaultDecision;
  /** The failed status of one GetMetricData result, if a `result-status` fault matches it (counts as one hit). */
  resultStatus(
    region: string,
    metricName: string,
    instanceId: string | undefined,
  ): FailedResultStatus | undefined;
}

/** Creates an empty fault injector using the given clock (epoch ms). */
export function createFaultInjector(now: () => number = Date.now): FaultInjector {
  const rules: FaultRule[] = [];
  let sequence = 0;

  const active = (rule: FaultRule, t: number): boolean =>
    (rule.remaining === null || rule.remaining > 0) && (rule.until === null || t < rule.until);

  const prune = (t: number): void => {
    for (let i = rules.length - 1; i >= 0; i--) {
      const rule = rules[i];
      if (rule && !active(rule, t)) rules.splice(i, 1);
    }
  };

  return {
    add: (input) => {
      const rule: FaultRule = {
        ...input,
        id: `fault-${++sequence}`,
        remaining: input.count ?? null,
        until: input.durationMs === undefined ? null : now() + input.durationMs,
        hits: 0,
      };
      rules.push(rule);
      return { ...rule };
    },
    list: () => {
      prune(now());
      return rules.map((rule) => ({ ...rule }));
    },
    remove: (id) => {
      const index = rules.findIndex((rule) => rule.id === id);
      if (index >= 0) rules.splice(index, 1);
      return index >= 0;
    },
    clear: () => {
      rules.length = 0;
    },
    evaluate: (service, action, region) => {
      const t = now();
      const decision: FaultDecision = { delayMs: 0 };
      for (const rule of rules) {
        if (rule.service !== service || rule.kind === "result-status" || !active(rule, t)) continue;
        if (rule.action !== undefined && rule.action !== action) continue;
        if (rule.region !== undefined && rule.region !== region) continue;
        if (rule.kind === "latency") {
          decision.delayMs += rule.latencyMs ?? 0;
        } else if (!decision.error) {
          decision.error = faultError(rule, action);
        } else {
          continue;
        }
        rule.hits++;
        if (rule.remaining !== null) rule.remaining--;
      }
      prune(t);
      return decision;
    },
    resultStatus: (region, metricName, instanceId) => {
      const t = now();
      for (const rule of rules) {
        if (rule.kind !== "result-status" || rule.service !== "cloudwatch" || !active(rule, t)) continue;
        if (rule.action !== undefined && rule.action !== "GetMetricData") continue;
        if (rule.region !== undefined && rule.region !== region) continue;
        if (rule.metricName !== undefined && rule.metricName !== metricName) continue;
        if (rule.instanceId !== undefined && rule.instanceId !== instanceId) continue;
        rule.hits++;
        if (rule.remaining !== null) rule.remaining--;
        return rule.resultStatus ?? "InternalError";
      }
      return undefined;
    },
  };
}

function faultError(rule: FaultRule, action: string): AwsApiError {
  if (rule.kind === "deny") {
    const permission = `${rule.service}:${action}`;
    const denial = `User: arn:aws:sts::123456789012:assumed-role/fleet-sim/collector is not authorized to perform: ${permission} because no identity-based policy allows the ${permission} action`;
    switch (rule.service) {
      case "ec2":
        return new AwsApiError(
          "UnauthorizedOperation",
          `You are not authorized to perform this operation. ${denial}`,
          403,
        );
      case "pricing":
        return new AwsApiError("AccessDeniedException", denial, 400);
      default:
        return new AwsApiError("AccessDenied", denial, 403);
    }
  }
  if (rule.kind === "throttle") {
    switch (rule.service) {
      case "ec2":
        return new AwsApiError("RequestLimitExceeded", "Request limit exceeded.", 503);
      case "pricing":
        return new AwsApiError("ThrottlingException", "Rate exceeded", 400);
      default:
        return new AwsApiError("Throttling", "Rate exceeded", 400);
    }
  }
  const fallback = INTERNAL_ERRORS[rule.service];
  return new AwsApiError(
    rule.errorCode ?? fallback.code,
    rule.errorMessage ?? fallback.message,
    rule.statusCode ?? 500,
  );
}

/** The internal error each service answers (`error` faults without an `errorCode`). */
const INTERNAL_ERRORS: Readonly<Record<AwsService, { code: string; message: string }>> = {
  ec2: { code: "InternalError", message: "An internal error has occurred" },
  cloudwatch: {
    code: "InternalFailure",
    message: "The request processing has failed because of an unknown error, exception or failure.",
  },
  pricing: {
    code: "InternalErrorException",
    message: "An error on the server occurred during the processing of your request. Try again later.",
  },
};
