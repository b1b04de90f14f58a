/**
 * Pure fleet logic: source freshness, the count summary, filters and sort order.
 * @typedef {{ type: string, message: string, at: string }} SourceError
 * @typedef {{
 *   id: string, name: string | null, region: string, instance_id: string, status: string,
 *   service_status: string, https_endpoint: string | null, active_labs_count: number, is_idle: boolean,
 *   can_connect: boolean, license_status: string | null, cml_version: string | null, updated_at: string,
 *   ec2_metrics: { instance_state_detail: string | null, instance_status_check: string | null,
 *     system_status_check: string | null, last_checked_at: string | null, last_error: SourceError | null },
 *   cloudwatch_metrics: { cpu_utilization: number | null, memory_utilization: number | null,
 *     last_collected_at: string | null, detailed_monitoring_enabled: boolean | null,
 *     period_seconds: number | null, datapoint_at: string | null, stale: boolean, last_error: SourceError | null },
 *   cml_metrics: { ready: boolean | null, uptime_seconds: number | null, labs_count: number | null,
 *     running_labs_count: number | null, version: string | null, license_status: string | null,
 *     last_synced_at: string | null, last_error: SourceError | null },
 *   stopped_by: string | null, terminated_by: string | null,
 *   last_lifecycle_action: import("./lifecycle-model.js").LastLifecycleAction | null,
 *   idle_policy: import("./lifecycle-model.js").IdlePolicy, cost: import("./lifecycle-model.js").Cost
 * }} Worker
 * @typedef {"ec2" | "cloudwatch" | "cml"} Source
 * @typedef {"fresh" | "stale" | "failing" | "never" | "idle-source"} Freshness
 * @typedef {{ region: string, status: string, idle: "" | "true" | "false", text: string }} Filters
 * @typedef {{ key: SortKey, descending: boolean }} SortOrder
 * @typedef {"name" | "region" | "status" | "service" | "cpu" | "memory" | "labs" | "idle" | "updated"} SortKey
 * @typedef {{ intervals: Record<Source, number>, staleAfter: number }} FreshnessRules
 */

/** @type {readonly Source[]} */
export const SOURCES = ["ec2", "cloudwatch", "cml"];

/** Human names of the sources. */
export const SOURCE_LABELS = { ec2: "EC2", cloudwatch: "CloudWatch", cml: "CML" };

/**
 * Staleness until the API told its configured intervals (`GET /api/v1/fleet/summary`): the collectors' defaults.
 * @type {FreshnessRules}
 */
export const DEFAULT_FRESHNESS_RULES = { intervals: { ec2: 60, cloudwatch: 60, cml: 60 }, staleAfter: 3 };

/**
 * The staleness rules of a fleet summary: each source's configured collection interval and how many of them make
 * data stale.
 * @param {{ collection_intervals_seconds: Record<Source, number>, stale_after_intervals: number }} summary
 * @returns {FreshnessRules}
 */
export function freshnessRulesOf(summary) {
  return {
    intervals: { ...summary.collection_intervals_seconds },
    staleAfter: summary.stale_after_intervals,
  };
}

/**
 * When the source last succeeded, what failed last, and how often it is collected (CloudWatch: no more often than
 * the worker's datapoint period either).
 * @param {Worker} worker
 * @param {Source} source
 * @param {FreshnessRules} [rules]
 * @returns {{ at: string | null, error: SourceError | null, intervalSeconds: number }}
 */
export function sourceBlock(worker, source, rules = DEFAULT_FRESHNESS_RULES) {
  if (source === "ec2") {
    const block = worker.ec2_metrics;
    return { at: block.last_checked_at, error: block.last_error, intervalSeconds: rules.intervals.ec2 };
  }
  if (source === "cloudwatch") {
    const block = worker.cloudwatch_metrics;
    const intervalSeconds = Math.max(rules.intervals.cloudwatch, block.period_seconds ?? 0);
    return { at: block.last_collected_at, error: block.last_error, intervalSeconds };
  }
  const block = worker.cml_metrics;
  return { at: block.last_synced_at, error: block.last_error, intervalSeconds: rules.intervals.cml };
}

/**
 * Whether a source is collected for this worker (DESIGN §4 gating): EC2 unless terminated, CloudWatch for
 * RUNNING workers, CML for RUNNING workers with an endpoint.
 * @param {Worker} worker
 * @param {Source} source
 */
export function isCollected(worker, source) {
  if (source === "ec2") return worker.status !== "TERMINATED";
  if (source === "cloudwatch") return worker.status === "RUNNING";
  return worker.status === "RUNNING" && worker.https_endpoint !== null;
}

/**
 * Freshness of one source at `nowMs`: `failing` when the last error is newer than the last success, `stale` when
 * the last success is older than `rules.staleAfter` collection intervals, `idle-source` when the source is not
 * collected now.
 * @param {Worker} worker
 * @param {Source} source
 * @param {number} nowMs
 * @param {FreshnessRules} [rules]
 * @returns {Freshness}
 */
export function sourceFreshness(worker, source, nowMs, rules = DEFAULT_FRESHNESS_RULES) {
  const { at, error, intervalSeconds } = sourceBlock(worker, source, rules);
  if (error !== null && (at === null || Date.parse(error.at) >= Date.parse(at))) return "failing";
  if (!isCollected(worker, source)) return "idle-source";
  if (at === null) return "never";
  return nowMs - Date.parse(at) > rules.staleAfter * intervalSeconds * 1000 ? "stale" : "fresh";
}

/**
 * Counts of the summary bar.
 * @param {Iterable<Worker>} workers
 * @param {number} nowMs
 * @param {FreshnessRules} [rules]
 * @returns {{ total: number, running: number, stopped: number, available: number, idle: number, failingSources: number, staleSources: number }}
 */
export function summarize(workers, nowMs, rules = DEFAULT_FRESHNESS_RULES) {
  const counts = {
    total: 0,
    running: 0,
    stopped: 0,
    available: 0,
    idle: 0,
    failingSources: 0,
    staleSources: 0,
  };
  for (const worker of workers) {
    counts.total += 1;
    if (worker.status === "RUNNING") counts.running += 1;
    if (worker.status === "STOPPED") counts.stopped += 1;
    if (worker.service_status === "AVAILABLE") counts.available += 1;
    if (worker.is_idle) counts.idle += 1;
    for (const source of SOURCES) {
      const freshness = sourceFreshness(worker, source, nowMs, rules);
      if (freshness === "failing") counts.failingSources += 1;
      if (freshness === "stale") counts.staleSources += 1;
    }
  }
  return counts;
}

/**
 * @param {Worker} worker
 * @param {Filters} filters
 */
export function matchesFilters(worker, filters) {
  if (filters.region !== "" && worker.region !== filters.region) return false;
  if (filters.status !== "" && worker.status !== filters.status) return false;
  if (filters.idle !== "" && String(worker.is_idle) !== filters.idle) return false;
  if (filters.text !== "") {
    const text = filters.text.toLowerCase();
    const haystack = `${worker.name ?? ""} ${worker.instance_id} ${worker.id}`.toLowerCase();
    if (!haystack.includes(text)) return false;
  }
  return true;
}

/**
 * @param {Worker} worker
 * @param {SortKey} key
 * @returns {string | number}
 */
export function sortValue(worker, key) {
  switch (key) {
    case "name":
      return (worker.name ?? worker.instance_id).toLowerCase();
    case "region":
      return worker.region;
    case "status":
      return worker.status;
    case "service":
      return worker.service_status;
    case "cpu":
      return worker.cloudwatch_metrics.cpu_utilization ?? -1;
    case "memory":
      return worker.cloudwatch_metrics.memory_utilization ?? -1;
    case "labs":
      return worker.cml_metrics.labs_count ?? -1;
    case "idle":
      return worker.is_idle ? 1 : 0;
    default:
      return worker.updated_at;
  }
}

/**
 * Comparator for `order`, ties broken by name then id so the order is stable.
 * @param {SortOrder} order
 * @returns {(a: Worker, b: Worker) => number}
 */
export function comparator(order) {
  const sign = order.descending ? -1 : 1;
  return (a, b) => {
    const left = sortValue(a, order.key);
    const right = sortValue(b, order.key);
    if (left < right) return -sign;
    if (left > right) return sign;
    const byName = (a.name ?? "").localeCompare(b.name ?? "");
    return byName !== 0 ? byName : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  };
}
