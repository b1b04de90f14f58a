import { ApiError } from "./api-client.js";
import { h, setClass, setText } from "./dom.js";
import { groupEvents } from "./event-groups.js";
import { isCollected, SOURCE_LABELS, SOURCES, sourceBlock, sourceFreshness } from "./fleet-model.js";
import { formatAge, formatPercent, formatTime, formatUptime, formatYesNo } from "./format.js";
import { CHART_METRICS, drawHistoryChart, HISTORY_RANGES, historyColumns } from "./history-chart.js";
import {
  allowedActions,
  describeCost,
  describeIdlePolicy,
  describeLastAction,
  describeLifecycleEvent,
  describeOutcome,
  formatUsd,
  LIFECYCLE_ACTIONS,
  LIFECYCLE_EVENTS,
  newRequestId,
  transitionText,
} from "./lifecycle-model.js";

/**
 * @typedef {import("./fleet-model.js").Worker} Worker
 * @typedef {import("./fleet-model.js").Source} Source
 * @typedef {import("./live-feed.js").CloudEvent} CloudEvent
 * @typedef {import("./api-client.js").ApiClient} ApiClient
 * @typedef {import("./event-groups.js").EventItem} EventItem
 * @typedef {import("./event-groups.js").EventGroup} EventGroup
 * @typedef {"pending" | "updated" | "failed" | "unchanged" | "timed out"} Progress
 * @typedef {import("./lifecycle-model.js").LifecycleAction} LifecycleAction
 */

const REFRESH_WAIT_SECONDS = 20;
/** How long to follow the feed for a refresh the API answered 202. */
const REFRESH_FOLLOW_MS = 60_000;
/** Lines of the event list (a run of identical metrics updates is one line). */
const EVENTS_SHOWN = 25;
/** Events read to fill those lines. */
const EVENTS_READ = 200;
/** How long to follow the feed for the outcome of a start, stop or terminate. */
const ACTION_FOLLOW_MS = 60_000;
const ACTION_LABELS = { start: "Start", stop: "Stop", terminate: "Terminate…" };

/** The source a domain event reports on (metrics updated or source failed). */
/** @param {string} name @param {CloudEvent} event @returns {{ source: Source, failed: boolean } | null} */
function reportOf(name, event) {
  if (name === "ec2_metrics_updated") return { source: "ec2", failed: false };
  if (name === "cloudwatch_metrics_updated") return { source: "cloudwatch", failed: false };
  if (name === "cml_metrics_updated") return { source: "cml", failed: false };
  if (name === "source_failed" && SOURCES.includes(event.data?.source)) {
    return { source: event.data.source, failed: true };
  }
  return null;
}

/** One line describing a domain event. */
/** @param {string} name @param {any} data */
function describeEvent(name, data) {
  switch (name) {
    case "status_changed":
    case "service_status_changed":
    case "license_changed":
      return `${data.oldStatus ?? "—"} → ${data.newStatus ?? "—"}`;
    case "endpoint_changed":
      return `${data.oldEndpoint ?? "—"} → ${data.newEndpoint ?? "—"}`;
    case "ec2_metrics_updated":
      return `${data.instanceState}; instance ${data.instanceStatusCheck}, system ${data.systemStatusCheck}`;
    case "cloudwatch_metrics_updated":
      return `CPU ${formatPercent(data.cpuUtilization)}, memory ${formatPercent(data.memoryUtilization)}`;
    case "cml_metrics_updated":
      return `${data.ready ? "ready" : "not ready"}, ${data.labsCount ?? "—"} labs (${data.runningLabsCount ?? "—"} running)`;
    case "source_failed":
      return `${SOURCE_LABELS[/** @type {Source} */ (data.source)] ?? data.source}: ${data.errorType}: ${data.errorMessage}`;
    case "idle_detected":
      return `idle for ${data.idleMinutes} min`;
    case "terminated":
      return `by ${data.terminatedBy}`;
    case "start_requested":
    case "stop_requested":
    case "terminate_requested":
      return describeLifecycleEvent(data);
    case "idle_stop_skipped":
      return `idle auto-stop (${data.mode}) left it running: ${data.reason}, idle for ${data.idleMinutes} min`;
    default:
      return "";
  }
}

/**
 * A definition list whose values are kept as elements to update in place.
 * @template {string} K
 * @param {[K, string][]} fields key and term
 */
function fieldList(fields) {
  const values = /** @type {Record<K, HTMLElement>} */ ({});
  const list = h("dl", { class: "fields" });
  for (const [key, term] of fields) {
    const value = h("dd");
    values[key] = value;
    list.append(h("div", {}, h("dt", {}, term), value));
  }
  return { list, values };
}

/**
 * The worker page (`#/workers/<id>`): the three source sections, refresh with per-source progress, start, stop and
 * terminate with their outcome, the idle policy and this month's cost, the history chart and the worker's recent
 * domain events, kept live from the event feed.
 * @param {HTMLElement} root
 * @param {{ api: ApiClient, now?: () => number, canOperate: () => boolean, onForbidden: () => void, rules: () => import("./fleet-model.js").FreshnessRules }} deps
 */
export function createWorkerView(root, { api, now = Date.now, canOperate, onForbidden, rules }) {
  /** @type {string | null} */
  let workerId = null;
  /** @type {Worker | null} */
  let worker = null;
  let reloadQueued = false;
  /** @type {ReturnType<typeof drawHistoryChart> | null} */
  let chart = null;
  /** @type {import("./history-chart.js").RangeKey} */
  let rangeKey = "24h";
  let chartRequest = 0;
  /** @type {{ before: Record<Source, { at: string | null, errorAt: string | null }>, status: Map<Source, Progress>, requestId: string | null, buffered: [string, CloudEvent][], startedMs: number, timer?: ReturnType<typeof setTimeout> } | null} */
  let refresh = null;
  /** The start, stop or terminate this page asked for and awaits the outcome of. */
  /** @type {{ action: LifecycleAction, requestId: string, timer: ReturnType<typeof setTimeout> } | null} */
  let pendingAction = null;

  const title = h("h1", { id: "worker-title", tabindex: "-1" });
  const meta = h("p", { class: "worker-meta" });
  const badges = h("p", { class: "worker-badges" });
  const loadError = h("p", { class: "error", role: "alert", hidden: true });

  const ec2 = fieldList([
    ["state", "Instance state"],
    ["instance", "Instance status check"],
    ["system", "System status check"],
    ["checked", "Last checked"],
    ["error", "Last error"],
  ]);
  const cloudwatch = fieldList([
    ["cpu", "CPU utilization"],
    ["memory", "Memory utilization"],
    ["collected", "Last collected"],
    ["datapoint", "Datapoint at"],
    ["monitoring", "Monitoring"],
    ["error", "Last error"],
  ]);
  const cml = fieldList([
    ["ready", "Ready"],
    ["version", "Version"],
    ["uptime", "Uptime"],
    ["labs", "Labs"],
    ["license", "License"],
    ["synced", "Last synced"],
    ["error", "Last error"],
  ]);
  const lifecycleInfo = fieldList([
    ["policy", "Idle auto-stop"],
    ["last", "Last lifecycle action"],
    ["stoppedBy", "Stopped by"],
    ["cost", "Cost this month"],
    ["saved", "Saved by idle stop"],
  ]);
  /** @type {Record<Source, HTMLElement>} */
  const freshnessNotes = { ec2: h("p"), cloudwatch: h("p"), cml: h("p") };
  /** @param {Source} source @param {string} heading @param {HTMLElement} list */
  const sourceSection = (source, heading, list) =>
    h(
      "section",
      { class: `source source-${source}`, "aria-labelledby": `source-${source}` },
      h("h2", { id: `source-${source}` }, heading),
      freshnessNotes[source],
      list,
    );

  const refreshButton = h("button", { type: "button", id: "refresh-button" }, "Refresh now");
  const progressList = h("ul", {
    class: "progress",
    "aria-live": "polite",
    "aria-label": "Refresh progress",
  });
  const refreshNote = h("p", { class: "refresh-note", "aria-live": "polite" });
  refreshButton.addEventListener("click", () => void startRefresh());

  const transition = h("span", { class: "transition", "aria-live": "polite" });
  const actionButtons = /** @type {Record<LifecycleAction, HTMLButtonElement>} */ ({});
  for (const action of LIFECYCLE_ACTIONS) {
    const button = h(
      "button",
      { type: "button", id: `${action}-button`, class: action === "terminate" ? "danger" : "" },
      ACTION_LABELS[action],
    );
    button.addEventListener("click", () => {
      if (action === "terminate") openConfirm();
      else void requestAction(action);
    });
    actionButtons[action] = button;
  }
  const confirmInput = h("input", {
    id: "terminate-confirm",
    name: "confirm",
    autocomplete: "off",
    spellcheck: "false",
    required: true,
  });
  const confirmCancel = h("button", { type: "button", class: "secondary" }, "Cancel");
  const confirmError = h("p", { class: "error", role: "alert", hidden: true });
  const confirmForm = h(
    "form",
    { class: "terminate-confirm", hidden: true, "aria-label": "Confirm the termination" },
    h("label", { for: "terminate-confirm" }, "Type the instance id to terminate this worker", confirmInput),
    h("button", { type: "submit", class: "danger" }, "Terminate worker"),
    confirmCancel,
    confirmError,
  );
  const lifecycleNote = h("p", { class: "lifecycle-note", role: "status", "aria-live": "polite" });
  confirmForm.addEventListener("submit", (event) => {
    event.preventDefault();
    void requestAction("terminate", confirmInput.value.trim());
  });
  confirmCancel.addEventListener("click", closeConfirm);

  const rangeButtons = h("div", { class: "ranges", role: "group", "aria-label": "History range" });
  for (const [
    key,
    range,
  ] of /** @type {[import("./history-chart.js").RangeKey, import("./history-chart.js").HistoryRange][]} */ (
    Object.entries(HISTORY_RANGES)
  )) {
    const button = h("button", { type: "button", "data-range": key, "aria-pressed": "false" }, range.label);
    button.addEventListener("click", () => {
      rangeKey = key;
      void loadChart();
    });
    rangeButtons.append(button);
  }
  const chartBox = h("div", { class: "chart", id: "history-chart" });
  const chartNote = h("p", { class: "chart-note", "aria-live": "polite" });
  const eventsList = h("ol", { class: "events" });
  const eventsNote = h("p", { class: "events-note" });

  root.replaceChildren(
    h(
      "article",
      { "aria-labelledby": "worker-title" },
      h("p", {}, h("a", { href: "#/", class: "back" }, "← Fleet")),
      title,
      meta,
      badges,
      loadError,
      h("div", { class: "refresh" }, refreshButton, progressList, refreshNote),
      h(
        "div",
        { class: "lifecycle", role: "group", "aria-label": "Start, stop or terminate the instance" },
        actionButtons.start,
        actionButtons.stop,
        actionButtons.terminate,
        transition,
      ),
      confirmForm,
      lifecycleNote,
      h(
        "div",
        { class: "sources" },
        sourceSection("ec2", "EC2 instance health", ec2.list),
        sourceSection("cloudwatch", "CloudWatch utilization", cloudwatch.list),
        sourceSection("cml", "CML application status", cml.list),
        h(
          "section",
          { class: "source lifecycle-info", "aria-labelledby": "lifecycle-title" },
          h("h2", { id: "lifecycle-title" }, "Lifecycle and cost"),
          lifecycleInfo.list,
        ),
      ),
      h(
        "section",
        { class: "history", "aria-labelledby": "history-title" },
        h("h2", { id: "history-title" }, "History: CPU, memory and labs"),
        rangeButtons,
        chartBox,
        chartNote,
      ),
      h(
        "section",
        { class: "recent-events", "aria-labelledby": "events-title" },
        h("h2", { id: "events-title" }, "Recent events"),
        eventsNote,
        eventsList,
      ),
    ),
  );

  /** @param {import("./fleet-model.js").SourceError | null} error */
  const errorText = (error) =>
    error === null ? "none" : `${error.type}: ${error.message} (${formatAge(error.at, now())})`;

  function renderFreshness() {
    if (worker === null) return;
    const nowMs = now();
    for (const source of SOURCES) {
      const freshness = sourceFreshness(worker, source, nowMs, rules());
      const { at } = sourceBlock(worker, source, rules());
      const text = {
        fresh: `Up to date (${formatAge(at, nowMs)})`,
        stale: `Stale: last success ${formatAge(at, nowMs)}`,
        failing: "Failing: the last collection failed",
        never: "Not collected yet",
        "idle-source": "Not collected while the worker is not running",
      }[freshness];
      setText(freshnessNotes[source], text);
      setClass(freshnessNotes[source], `freshness age-${freshness}`);
    }
    setText(
      ec2.values.checked,
      `${formatTime(worker.ec2_metrics.last_checked_at)} (${formatAge(worker.ec2_metrics.last_checked_at, nowMs)})`,
    );
    setText(
      cloudwatch.values.collected,
      `${formatTime(worker.cloudwatch_metrics.last_collected_at)} (${formatAge(worker.cloudwatch_metrics.last_collected_at, nowMs)})`,
    );
    setText(
      cml.values.synced,
      `${formatTime(worker.cml_metrics.last_synced_at)} (${formatAge(worker.cml_metrics.last_synced_at, nowMs)})`,
    );
  }

  /** @param {Worker} next */
  function renderWorker(next) {
    worker = next;
    setText(title, next.name ?? next.instance_id);
    document.title = `${next.name ?? next.instance_id} · CML fleet`;
    setText(meta, `${next.instance_id} · ${next.region} · ${next.https_endpoint ?? "no endpoint"}`);
    badges.replaceChildren(
      h("span", { class: `badge badge-${next.status.toLowerCase().replace(/_/g, "-")}` }, next.status),
      " ",
      h("span", { class: `badge badge-${next.service_status.toLowerCase()}` }, `CML ${next.service_status}`),
      " ",
      h("span", { class: next.is_idle ? "badge badge-idle" : "badge" }, next.is_idle ? "idle" : "not idle"),
      " ",
      h("span", { class: "badge" }, next.can_connect ? "can connect" : "cannot connect"),
    );
    const e = next.ec2_metrics;
    setText(ec2.values.state, e.instance_state_detail ?? "—");
    setText(ec2.values.instance, e.instance_status_check ?? "—");
    setText(ec2.values.system, e.system_status_check ?? "—");
    setText(ec2.values.error, errorText(e.last_error));
    const c = next.cloudwatch_metrics;
    setText(cloudwatch.values.cpu, formatPercent(c.cpu_utilization));
    setText(
      cloudwatch.values.memory,
      c.memory_utilization === null ? "— (no agent data)" : formatPercent(c.memory_utilization),
    );
    setText(cloudwatch.values.datapoint, formatTime(c.datapoint_at));
    setText(
      cloudwatch.values.monitoring,
      c.detailed_monitoring_enabled === null
        ? "—"
        : `${c.detailed_monitoring_enabled ? "detailed" : "basic"}${c.period_seconds === null ? "" : ` (${c.period_seconds} s period)`}`,
    );
    setText(cloudwatch.values.error, errorText(c.last_error));
    const m = next.cml_metrics;
    setText(cml.values.ready, formatYesNo(m.ready));
    setText(cml.values.version, m.version ?? "—");
    setText(cml.values.uptime, formatUptime(m.uptime_seconds));
    setText(
      cml.values.labs,
      m.labs_count === null ? "—" : `${m.labs_count} (${m.running_labs_count ?? "—"} running)`,
    );
    setText(cml.values.license, m.license_status ?? "—");
    setText(cml.values.error, errorText(m.last_error));
    setText(lifecycleInfo.values.policy, describeIdlePolicy(next.idle_policy));
    const last = next.last_lifecycle_action;
    setText(
      lifecycleInfo.values.last,
      last === null ? "none" : `${describeLastAction(last)} (${formatAge(last.at, now())})`,
    );
    setText(lifecycleInfo.values.stoppedBy, next.stopped_by ?? "—");
    setText(lifecycleInfo.values.cost, describeCost(next.cost));
    setText(lifecycleInfo.values.saved, formatUsd(next.cost.saved_by_idle_stop_usd_month_to_date));
    renderFreshness();
    refreshButton.hidden = !canOperate();
    renderActions();
  }

  /** Shows the actions an operator may take now: those the status allows, none while one is awaited. */
  function renderActions() {
    if (worker === null) return;
    const allowed = allowedActions(worker.status);
    for (const action of LIFECYCLE_ACTIONS) {
      const button = actionButtons[action];
      button.hidden = !canOperate();
      button.disabled = pendingAction !== null || !allowed[action];
    }
    if (!allowed.terminate) closeConfirm();
    setText(transition, transitionText(worker.status));
  }

  function openConfirm() {
    if (worker === null) return;
    confirmInput.value = "";
    confirmInput.placeholder = worker.instance_id;
    confirmError.hidden = true;
    confirmForm.hidden = false;
    confirmInput.focus();
  }

  function closeConfirm() {
    confirmForm.hidden = true;
    confirmError.hidden = true;
  }

  /**
   * Ends the awaited action with `text` as its note.
   * @param {string} text
   * @param {"ok" | "failed" | "waiting"} tone
   */
  function finishAction(text, tone) {
    if (pendingAction === null) return;
    clearTimeout(pendingAction.timer);
    pendingAction = null;
    setText(lifecycleNote, text);
    lifecycleNote.className = `lifecycle-note lifecycle-${tone}`;
    renderActions();
  }

  /**
   * Asks for a start, stop or terminate with a request id of its own (so its outcome is recognised on the feed
   * even when it arrives before the answer), then follows the feed for the `<action>_requested` event.
   * @param {LifecycleAction} action
   * @param {string} [confirm] the instance id typed to confirm a terminate
   */
  async function requestAction(action, confirm) {
    if (worker === null || pendingAction !== null) return;
    const id = worker.id;
    const requestId = newRequestId(crypto);
    pendingAction = {
      action,
      requestId,
      timer: setTimeout(
        () =>
          finishAction(
            `No outcome of the ${action} yet (request ${requestId}); the worker's events will show it.`,
            "waiting",
          ),
        ACTION_FOLLOW_MS,
      ),
    };
    lifecycleNote.className = "lifecycle-note";
    setText(lifecycleNote, `Asking to ${action} the instance… (request ${requestId})`);
    renderActions();
    try {
      await api.lifecycle(id, action, confirm === undefined ? { requestId } : { requestId, confirm });
      if (action === "terminate") closeConfirm();
      if (pendingAction?.requestId === requestId) {
        setText(lifecycleNote, `The ${action} is requested (request ${requestId}); waiting for EC2…`);
      }
    } catch (error) {
      const problem = error instanceof ApiError ? error : null;
      if (problem?.status === 400 && problem.problem?.param === "confirm") {
        finishAction("", "failed");
        confirmError.hidden = false;
        setText(confirmError, `Not terminated: ${problem.message}`);
        confirmInput.focus();
        return;
      }
      if (problem?.status === 403) {
        onForbidden();
        finishAction(
          "Your token may read but not start, stop or terminate (operator role required).",
          "failed",
        );
        return;
      }
      finishAction(`The ${action} was not requested: ${/** @type {Error} */ (error).message}`, "failed");
    }
  }

  /** The worker's recent events, newest first (more than shown: runs of identical updates collapse). */
  /** @type {EventItem[]} */
  let recentEvents = [];

  /** @param {EventGroup} group */
  function eventLine({ name, event, oldest, count }) {
    const line = h(
      "li",
      { "data-event-id": event.id, "data-count": count },
      h("time", { datetime: event.time ?? "" }, formatTime(event.time ?? null)),
      " ",
      h("strong", {}, name.replace(/_/g, " ")),
      " ",
    );
    if (count > 1) {
      line.append(
        h(
          "span",
          { class: "repeat", title: `the same ${count} times since ${formatTime(oldest.time ?? null)}` },
          `×${count}, unchanged`,
        ),
        " · ",
      );
    }
    line.append(describeEvent(name, event.data ?? {}));
    return line;
  }

  function renderEvents() {
    const groups = groupEvents(recentEvents).slice(0, EVENTS_SHOWN);
    eventsList.replaceChildren(...groups.map(eventLine));
    setText(eventsNote, groups.length === 0 ? "No events yet." : "");
  }

  async function loadEvents() {
    const id = workerId;
    if (id === null) return;
    try {
      const page = await api.workerEvents(id, EVENTS_READ);
      if (id !== workerId) return;
      recentEvents = page.items.map((/** @type {EventItem} */ { name, event }) => ({ name, event }));
      renderEvents();
    } catch (error) {
      setText(eventsNote, `Events could not be loaded: ${/** @type {Error} */ (error).message}`);
    }
  }

  async function loadChart() {
    const id = workerId;
    if (id === null) return;
    const range = HISTORY_RANGES[rangeKey];
    for (const button of rangeButtons.querySelectorAll("button")) {
      button.setAttribute("aria-pressed", String(button.dataset.range === rangeKey));
    }
    const request = ++chartRequest;
    const to = new Date(now());
    const from = new Date(to.getTime() - range.rangeMs);
    setText(chartNote, `Loading the last ${range.label}…`);
    try {
      const reply = await api.history(id, {
        from: from.toISOString(),
        to: to.toISOString(),
        interval: range.intervalSeconds,
        metrics: CHART_METRICS,
      });
      if (request !== chartRequest || id !== workerId) return;
      const columns = historyColumns(reply);
      chart?.destroy();
      chart = null;
      chartBox.dataset.points = String(columns[0].length);
      if (columns[0].length === 0) {
        setText(chartNote, `No history in the last ${range.label}.`);
        return;
      }
      chart = drawHistoryChart(chartBox, columns, [from.getTime() / 1000, to.getTime() / 1000]);
      setText(
        chartNote,
        `${columns[0].length} ${columns[0].length === 1 ? "point" : "points"}, one per ${range.intervalSeconds / 60} min, over the last ${range.label}.`,
      );
    } catch (error) {
      if (request !== chartRequest) return;
      setText(chartNote, `History is unavailable: ${/** @type {Error} */ (error).message}`);
    }
  }

  async function reloadWorker() {
    const id = workerId;
    if (id === null) return;
    try {
      const next = await api.getWorker(id);
      if (id === workerId) {
        loadError.hidden = true;
        renderWorker(next);
      }
    } catch (error) {
      if (id !== workerId) return;
      loadError.hidden = false;
      setText(
        loadError,
        error instanceof ApiError && error.status === 404
          ? "This worker does not exist (any more)."
          : `The worker could not be loaded: ${/** @type {Error} */ (error).message}`,
      );
    }
  }

  function renderProgress() {
    if (refresh === null) return;
    const seconds = Math.round((now() - refresh.startedMs) / 1000);
    progressList.replaceChildren(
      ...Array.from(refresh.status, ([source, state]) =>
        h(
          "li",
          { class: `progress-${state.replace(" ", "-")}`, "data-source": source },
          `${SOURCE_LABELS[source]}: ${state}${state === "pending" ? ` (${seconds} s)` : ""}`,
        ),
      ),
    );
  }

  /** @param {boolean} timedOut */
  function finishRefresh(timedOut) {
    if (refresh === null) return;
    clearTimeout(refresh.timer);
    if (timedOut) {
      for (const [source, state] of refresh.status)
        if (state === "pending") refresh.status.set(source, "timed out");
    }
    renderProgress();
    refresh = null;
    refreshButton.disabled = false;
    void reloadWorker();
    void loadEvents();
  }

  /** @param {string} name @param {CloudEvent} event */
  function applyRefreshEvent(name, event) {
    if (refresh === null || event.correlationid !== refresh.requestId) return;
    const report = reportOf(name, event);
    if (report === null || !refresh.status.has(report.source)) return;
    refresh.status.set(report.source, report.failed ? "failed" : "updated");
    renderProgress();
    if ([...refresh.status.values()].every((state) => state !== "pending")) finishRefresh(false);
  }

  /** Sets each source's outcome from the worker the API answered once every source reported. */
  /** @param {Worker} answered */
  function settleFromWorker(answered) {
    if (refresh === null) return;
    for (const source of refresh.status.keys()) {
      const { at, error } = sourceBlock(answered, source);
      const before = refresh.before[source];
      const failedNow = error !== null && error.at !== before.errorAt && (at === null || error.at >= at);
      refresh.status.set(source, failedNow ? "failed" : at !== before.at ? "updated" : "unchanged");
    }
  }

  async function startRefresh() {
    if (worker === null || workerId === null || refresh !== null) return;
    const current = worker;
    const sources = SOURCES.filter((source) => isCollected(current, source));
    /** @param {Source} source */
    const snapshot = (source) => {
      const block = sourceBlock(current, source);
      return { at: block.at, errorAt: block.error?.at ?? null };
    };
    const before = { ec2: snapshot("ec2"), cloudwatch: snapshot("cloudwatch"), cml: snapshot("cml") };
    refresh = {
      before,
      status: new Map(sources.map((source) => [source, /** @type {Progress} */ ("pending")])),
      requestId: null,
      buffered: [],
      startedMs: now(),
    };
    refreshButton.disabled = true;
    setText(refreshNote, "Collecting every source now…");
    renderProgress();
    const ticker = setInterval(renderProgress, 1000);
    try {
      const answer = await api.refresh(current.id, REFRESH_WAIT_SECONDS).catch((error) => {
        // A server configured with a shorter REFRESH_WAIT_MAX_SECONDS refuses the wait: follow the feed instead.
        if (error instanceof ApiError && error.status === 400 && error.problem?.param === "wait") {
          return api.refresh(current.id, 0);
        }
        throw error;
      });
      if (refresh === null) return;
      if (answer.status === 200) {
        settleFromWorker(answer.body);
        renderWorker(answer.body);
        setText(refreshNote, "Refreshed.");
        finishRefresh(false);
        return;
      }
      refresh.requestId = answer.body.request_id;
      refresh.status = new Map(
        answer.body.sources.map((/** @type {Source} */ source) => [
          source,
          refresh?.status.get(source) ?? "pending",
        ]),
      );
      setText(refreshNote, `Still collecting (request ${answer.body.request_id}); following the live feed…`);
      const buffered = refresh.buffered;
      refresh.buffered = [];
      refresh.timer = setTimeout(() => finishRefresh(true), REFRESH_FOLLOW_MS);
      for (const [name, event] of buffered) applyRefreshEvent(name, event);
      if (refresh !== null && refresh.status.size === 0) finishRefresh(false);
    } catch (error) {
      refresh = null;
      refreshButton.disabled = false;
      progressList.replaceChildren();
      if (error instanceof ApiError && error.status === 403) {
        onForbidden();
        refreshButton.hidden = true;
        setText(refreshNote, "Your token may read but not refresh (operator role required).");
      } else if (error instanceof ApiError && error.status === 429) {
        setText(
          refreshNote,
          `A refresh of this worker is already running; try again in ${error.retryAfter ?? "a few"} s.`,
        );
      } else {
        setText(refreshNote, `Refresh failed: ${/** @type {Error} */ (error).message}`);
      }
    } finally {
      clearInterval(ticker);
      renderProgress();
    }
  }

  return {
    /** @param {string} id */
    async show(id) {
      if (id !== workerId) {
        workerId = id;
        worker = null;
        refresh = null;
        refreshButton.disabled = false;
        progressList.replaceChildren();
        setText(refreshNote, "");
        if (pendingAction !== null) clearTimeout(pendingAction.timer);
        pendingAction = null;
        setText(lifecycleNote, "");
        closeConfirm();
        setText(title, "Loading…");
        eventsList.replaceChildren();
        recentEvents = [];
        chart?.destroy();
        chart = null;
      }
      root.hidden = false;
      title.focus();
      await Promise.all([reloadWorker(), loadEvents(), loadChart()]);
    },
    hide() {
      root.hidden = true;
    },
    /** Reads the shown worker and its events again (the live feed may have missed events). */
    async reload() {
      if (root.hidden || workerId === null) return;
      await Promise.all([reloadWorker(), loadEvents()]);
    },
    /**
     * A live domain event: events of the shown worker are listed, advance a running refresh, and reload it.
     * @param {string} name
     * @param {CloudEvent} event
     */
    onEvent(name, event) {
      if (root.hidden || workerId === null || event.subject !== workerId) return;
      if (refresh !== null) {
        if (refresh.requestId === null) refresh.buffered.push([name, event]);
        else applyRefreshEvent(name, event);
      }
      if (
        pendingAction !== null &&
        name === LIFECYCLE_EVENTS[pendingAction.action] &&
        event.data?.requestId === pendingAction.requestId
      ) {
        finishAction(
          describeOutcome(pendingAction.action, event.data),
          event.data.outcome === "rejected" ? "failed" : "ok",
        );
      }
      if (!recentEvents.some((item) => item.event.id === event.id)) {
        recentEvents = [{ name, event }, ...recentEvents].slice(0, EVENTS_READ);
        renderEvents();
      }
      if (!reloadQueued) {
        reloadQueued = true;
        requestAnimationFrame(() => {
          reloadQueued = false;
          void reloadWorker();
        });
      }
    },
    refreshAges: renderFreshness,
    /** Redraws the chart at the container's width. */
    resize() {
      chart?.resize(chartBox.clientWidth);
    },
  };
}
