import {
  HISTORY_LIMITS,
  HISTORY_METRICS,
  type HistoryMetric,
  type HistoryQueryRequest,
  SOURCES,
  type Source,
} from "@cml-telemetry/contracts";
import { ProblemError } from "../../problems.ts";

/** Raw query of the history route. */
export interface HistoryQueryParams {
  from?: string | undefined;
  to?: string | undefined;
  interval?: string | undefined;
  source?: string | undefined;
  metrics?: string | undefined;
  limit?: number | undefined;
}

/** Default range when `from` is omitted. */
const DEFAULT_RANGE_MS = 24 * 3_600_000;
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400 };

/** API metric name (snake_case) ↔ history metric name. */
export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}
const METRIC_BY_SNAKE = new Map<string, HistoryMetric>(
  HISTORY_METRICS.map((metric) => [snakeCase(metric), metric]),
);

function invalid(param: string, message: string): ProblemError {
  return new ProblemError("validation-error", `${param}: ${message}`, { param });
}

function parseTime(param: string, value: string): number {
  const millis = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(millis)) {
    throw invalid(param, "must be an RFC 3339 timestamp such as 2026-11-25T12:00:00Z");
  }
  return millis;
}

function parseInterval(value: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(value);
  if (!match) throw invalid("interval", "must be seconds or a duration such as 300, 5m, 1h, 1d");
  const seconds = Number(match[1]) * (UNIT_SECONDS[match[2] || "s"] ?? 1);
  if (seconds < HISTORY_LIMITS.minIntervalSeconds || seconds > HISTORY_LIMITS.maxIntervalSeconds) {
    throw invalid(
      "interval",
      `must be between ${HISTORY_LIMITS.minIntervalSeconds} and ${HISTORY_LIMITS.maxIntervalSeconds} seconds`,
    );
  }
  return seconds;
}

function parseList<T extends string>(
  param: string,
  value: string,
  lookup: (item: string) => T | undefined,
): T[] {
  const items = value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
  if (items.length === 0) throw invalid(param, "must list at least one value");
  return items.map((item) => {
    const found = lookup(item);
    if (found === undefined) throw invalid(param, `unknown value ${JSON.stringify(item)}`);
    return found;
  });
}

/**
 * Validates the history query string into a contract request (from < to, range ≤ 31 days, interval bounds,
 * known sources and metrics). `to` defaults to now, `from` to 24 h before `to`.
 * @throws ProblemError `validation-error` naming the parameter.
 */
export function toHistoryRequest(
  workerId: string,
  params: HistoryQueryParams,
  now: Date,
): HistoryQueryRequest {
  const to = params.to === undefined ? now.getTime() : parseTime("to", params.to);
  const from = params.from === undefined ? to - DEFAULT_RANGE_MS : parseTime("from", params.from);
  if (from >= to) throw invalid("from", "must be before to");
  if (to - from > HISTORY_LIMITS.maxRangeDays * 86_400_000) {
    throw invalid("to", `range must not exceed ${HISTORY_LIMITS.maxRangeDays} days`);
  }
  const request: HistoryQueryRequest = {
    workerId,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
  };
  if (params.interval !== undefined) request.intervalSeconds = parseInterval(params.interval);
  if (params.source !== undefined) {
    request.sources = parseList<Source>("source", params.source, (item) =>
      (SOURCES as readonly string[]).includes(item) ? (item as Source) : undefined,
    );
  }
  if (params.metrics !== undefined) {
    request.metrics = parseList<HistoryMetric>("metrics", params.metrics, (item) =>
      METRIC_BY_SNAKE.get(item),
    );
  }
  if (params.limit !== undefined) request.limit = params.limit;
  return request;
}
