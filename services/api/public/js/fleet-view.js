import { h, setClass, setText } from "./dom.js";
import {
  comparator,
  matchesFilters,
  SOURCE_LABELS,
  SOURCES,
  sortValue,
  sourceBlock,
  sourceFreshness,
  summarize,
} from "./fleet-model.js";
import { formatAge, formatPercent } from "./format.js";
import { formatUsd } from "./lifecycle-model.js";

/**
 * @typedef {import("./fleet-model.js").Worker} Worker
 * @typedef {import("./fleet-model.js").SortKey} SortKey
 * @typedef {import("./fleet-model.js").Filters} Filters
 * @typedef {"name" | "region" | "status" | "service" | "cpu" | "memory" | "labs" | "idle" | import("./fleet-model.js").Source} CellName
 * @typedef {{ worker: Worker, tr: HTMLTableRowElement, cells: Record<CellName, HTMLElement> }} Row
 * @typedef {keyof ReturnType<typeof summarize>} SummaryKey
 */

/** Columns: key, header text, sortable. */
const COLUMNS = /** @type {const} */ ([
  ["name", "Name"],
  ["region", "Region"],
  ["status", "Status"],
  ["service", "Service"],
  ["cpu", "CPU"],
  ["memory", "Memory"],
  ["labs", "Labs"],
  ["idle", "Idle"],
  ["updated", "Last updated (EC2 · CloudWatch · CML)"],
]);

const STATUSES = ["PENDING", "RUNNING", "STOPPING", "STOPPED", "SHUTTING_DOWN", "TERMINATED", "UNKNOWN"];

const FRESHNESS_TEXT = { fresh: "", stale: " (stale)", failing: " (failing)", never: "", "idle-source": "" };

/** Name of the performance measure of one live update of the table. */
export const UPDATE_MEASURE = "fleet-update";

/** @param {string} value */
function badgeClass(value) {
  return `badge badge-${value.toLowerCase().replace(/_/g, "-")}`;
}

/**
 * The fleet table with its summary and filters. Rows are keyed by worker id and updated in place; the body is
 * reordered only when a change moves a row or changes whether it passes the filters.
 * @param {HTMLElement} root
 * @param {{ onOpen: (id: string) => void, now?: () => number, rules: () => import("./fleet-model.js").FreshnessRules }} deps
 */
export function createFleetView(root, { onOpen, now = Date.now, rules }) {
  /** @type {Map<string, Row>} */
  const rows = new Map();
  /** @type {Filters} */
  const filters = { region: "", status: "", idle: "", text: "" };
  let order = /** @type {import("./fleet-model.js").SortOrder} */ ({ key: "name", descending: false });
  /** @type {string[]} */
  let shownIds = [];

  const summaryList = h("ul", { class: "summary", "aria-label": "Fleet summary" });
  const summaryItems = /** @type {Record<SummaryKey, HTMLElement>} */ ({});
  for (const [key, label] of /** @type {[SummaryKey, string][]} */ ([
    ["total", "workers"],
    ["running", "running"],
    ["stopped", "stopped"],
    ["available", "CML available"],
    ["idle", "idle"],
    ["failingSources", "failing sources"],
    ["staleSources", "stale sources"],
  ])) {
    const count = h("span", { class: "summary-count" }, "0");
    summaryItems[key] = count;
    summaryList.append(h("li", { class: `summary-${key}` }, count, ` ${label}`));
  }
  // This month's cost and idle-stop savings, from the API's fleet summary (on-demand prices).
  const costCount = h("span", { class: "summary-count" }, "—");
  const savedCount = h("span", { class: "summary-count" }, "—");
  const unpriced = h("span", { class: "summary-unpriced" });
  summaryList.append(
    h("li", { class: "summary-cost" }, costCount, " this month", unpriced),
    h("li", { class: "summary-saved" }, savedCount, " saved by idle stop"),
  );

  const regionSelect = h("select", { id: "filter-region" }, h("option", { value: "" }, "All regions"));
  const statusSelect = h(
    "select",
    { id: "filter-status" },
    h("option", { value: "" }, "All statuses"),
    ...STATUSES.map((status) => h("option", { value: status }, status)),
  );
  const idleSelect = h(
    "select",
    { id: "filter-idle" },
    h("option", { value: "" }, "Idle or busy"),
    h("option", { value: "true" }, "Idle only"),
    h("option", { value: "false" }, "Not idle"),
  );
  const search = h("input", { id: "filter-text", type: "search", placeholder: "name or instance id" });
  const filterForm = h(
    "form",
    { class: "filters", role: "search", "aria-label": "Filter workers" },
    h("label", { for: "filter-region" }, "Region", regionSelect),
    h("label", { for: "filter-status" }, "Status", statusSelect),
    h("label", { for: "filter-idle" }, "Idle", idleSelect),
    h("label", { for: "filter-text" }, "Search", search),
  );
  filterForm.addEventListener("submit", (event) => event.preventDefault());
  filterForm.addEventListener("input", () => {
    filters.region = regionSelect.value;
    filters.status = statusSelect.value;
    filters.idle = /** @type {Filters["idle"]} */ (idleSelect.value);
    filters.text = search.value.trim();
    reorder();
  });

  const shownCount = h("p", { class: "shown-count", "aria-live": "polite" });
  const headRow = h("tr");
  /** @type {Map<string, HTMLTableCellElement>} */
  const headers = new Map();
  for (const [key, label] of COLUMNS) {
    const button = h("button", { type: "button", class: "sort", "data-key": key }, label);
    button.addEventListener("click", () => {
      order = { key, descending: order.key === key ? !order.descending : false };
      reorder();
    });
    const th = h("th", { scope: "col", class: `col-${key}` }, button);
    headers.set(key, th);
    headRow.append(th);
  }
  const tbody = h("tbody");
  tbody.addEventListener("click", (event) => {
    const tr = /** @type {Element} */ (event.target).closest("tr");
    if (tr?.dataset.id) onOpen(tr.dataset.id);
  });
  tbody.addEventListener("keydown", (event) => {
    const tr = /** @type {HTMLElement} */ (event.target).closest("tr");
    if (!tr) return;
    if (event.key === "Enter" && tr.dataset.id) onOpen(tr.dataset.id);
    else if (event.key === "ArrowDown") /** @type {HTMLElement | null} */ (tr.nextElementSibling)?.focus();
    else if (event.key === "ArrowUp") /** @type {HTMLElement | null} */ (tr.previousElementSibling)?.focus();
    else return;
    event.preventDefault();
  });
  const table = h(
    "table",
    { class: "fleet" },
    h("caption", { class: "visually-hidden" }, "Workers; select a row and press Enter to open it"),
    h("thead", {}, headRow),
    tbody,
  );
  const emptyNote = h("p", { class: "empty", hidden: true }, "No worker matches the filters.");
  root.replaceChildren(
    h(
      "section",
      { "aria-labelledby": "fleet-title" },
      h("h1", { id: "fleet-title" }, "Fleet"),
      summaryList,
      filterForm,
      shownCount,
      h("div", { class: "table-wrap" }, table),
      emptyNote,
    ),
  );

  /** @param {Worker} worker @returns {Row} */
  function createRow(worker) {
    const cells = /** @type {Record<CellName, HTMLElement>} */ ({});
    const tr = h("tr", { tabindex: "0", "data-id": worker.id });
    for (const [key] of COLUMNS) {
      const td = h("td", { class: `col-${key}` });
      if (key === "updated") {
        for (const source of SOURCES) {
          const span = h("span");
          cells[source] = span;
          td.append(span);
        }
      } else if (key === "name") {
        const link = h("a", { href: `#/workers/${worker.id}`, tabindex: "-1" });
        cells.name = link;
        td.append(link);
      } else {
        const span = h("span");
        cells[key] = span;
        td.append(span);
      }
      tr.append(td);
    }
    return { worker, tr, cells };
  }

  /** @param {Row} row @param {number} nowMs */
  function renderAges(row, nowMs) {
    for (const source of SOURCES) {
      const freshness = sourceFreshness(row.worker, source, nowMs, rules());
      const { at } = sourceBlock(row.worker, source, rules());
      const text =
        freshness === "idle-source" && at === null
          ? `${SOURCE_LABELS[source]} —`
          : `${SOURCE_LABELS[source]} ${formatAge(at, nowMs)}${FRESHNESS_TEXT[freshness]}`;
      setText(row.cells[source], text);
      setClass(row.cells[source], `age age-${freshness}`);
    }
  }

  /** @param {Row} row @param {number} nowMs */
  function renderRow(row, nowMs) {
    const { worker, cells } = row;
    setText(cells.name, worker.name ?? worker.instance_id);
    setText(cells.region, worker.region);
    setText(cells.status, worker.status);
    setClass(cells.status, badgeClass(worker.status));
    setText(cells.service, worker.service_status);
    setClass(cells.service, badgeClass(worker.service_status));
    setText(cells.cpu, formatPercent(worker.cloudwatch_metrics.cpu_utilization));
    setText(cells.memory, formatPercent(worker.cloudwatch_metrics.memory_utilization));
    const labs = worker.cml_metrics.labs_count;
    const running = worker.cml_metrics.running_labs_count;
    setText(
      cells.labs,
      labs === null ? "—" : running === null ? String(labs) : `${labs} (${running} running)`,
    );
    setText(cells.idle, worker.is_idle ? "idle" : "no");
    setClass(cells.idle, worker.is_idle ? "badge badge-idle" : "");
    renderAges(row, nowMs);
  }

  function renderSummary() {
    const counts = summarize(
      Array.from(rows.values(), (row) => row.worker),
      now(),
      rules(),
    );
    for (const key of /** @type {SummaryKey[]} */ (Object.keys(summaryItems))) {
      setText(summaryItems[key], String(counts[key]));
    }
  }

  function renderRegions() {
    const regions = [...new Set(Array.from(rows.values(), (row) => row.worker.region))].sort();
    const known = Array.from(regionSelect.options, (option) => option.value).slice(1);
    if (known.join() === regions.join()) return;
    const selected = regionSelect.value;
    regionSelect.replaceChildren(
      h("option", { value: "" }, "All regions"),
      ...regions.map((region) => h("option", { value: region }, region)),
    );
    regionSelect.value = regions.includes(selected) ? selected : "";
  }

  /** Recomputes which rows show, in which order, and moves rows only when that changed. */
  function reorder() {
    const shown = Array.from(rows.values(), (row) => row.worker)
      .filter((worker) => matchesFilters(worker, filters))
      .sort(comparator(order));
    const ids = shown.map((worker) => worker.id);
    if (ids.length !== shownIds.length || ids.some((id, index) => id !== shownIds[index])) {
      tbody.replaceChildren(...ids.map((id) => /** @type {Row} */ (rows.get(id)).tr));
      shownIds = ids;
    }
    for (const [key, th] of headers) {
      th.setAttribute(
        "aria-sort",
        key === order.key ? (order.descending ? "descending" : "ascending") : "none",
      );
    }
    setText(shownCount, `Showing ${ids.length} of ${rows.size} workers`);
    emptyNote.hidden = ids.length > 0 || rows.size === 0;
  }

  return {
    /**
     * Replaces every row (initial load, or after the live feed was lost).
     * @param {Worker[]} workers
     */
    replaceAll(workers) {
      const nowMs = now();
      const seen = new Set();
      for (const worker of workers) {
        seen.add(worker.id);
        const row = rows.get(worker.id) ?? createRow(worker);
        row.worker = worker;
        rows.set(worker.id, row);
        renderRow(row, nowMs);
      }
      for (const id of [...rows.keys()]) if (!seen.has(id)) rows.delete(id);
      renderRegions();
      renderSummary();
      reorder();
    },
    /**
     * Applies fetched workers and removals in one go (call from requestAnimationFrame). Records the time it took
     * as the performance measure {@link UPDATE_MEASURE}.
     * @param {Worker[]} workers
     * @param {string[]} removedIds
     */
    applyUpdates(workers, removedIds) {
      const started = performance.now();
      const nowMs = now();
      let moved = removedIds.length > 0;
      let regionsChanged = false;
      for (const id of removedIds) rows.delete(id);
      for (const worker of workers) {
        const row = rows.get(worker.id);
        if (row === undefined) {
          const created = createRow(worker);
          rows.set(worker.id, created);
          renderRow(created, nowMs);
          moved = true;
          regionsChanged = true;
          continue;
        }
        const before = row.worker;
        if (
          sortValue(before, order.key) !== sortValue(worker, order.key) ||
          matchesFilters(before, filters) !== matchesFilters(worker, filters)
        ) {
          moved = true;
        }
        row.worker = worker;
        renderRow(row, nowMs);
      }
      if (regionsChanged) renderRegions();
      renderSummary();
      if (moved) reorder();
      performance.measure(UPDATE_MEASURE, { start: started, detail: { workers: workers.length } });
    },
    /**
     * Shows the fleet's month-to-date cost and idle-stop savings (`GET /fleet/summary`'s `cost`).
     * @param {import("./lifecycle-model.js").FleetCost} cost
     */
    setCost(cost) {
      setText(costCount, formatUsd(cost.month_to_date_usd));
      setText(savedCount, formatUsd(cost.saved_by_idle_stop_usd_month_to_date));
      const unknown = cost.workers_with_unknown_price;
      setText(
        unpriced,
        unknown === 0 ? "" : ` (${unknown} ${unknown === 1 ? "worker" : "workers"} without a known price)`,
      );
    },
    /** Re-renders the "… ago" times and staleness marks (call every few seconds). */
    refreshAges() {
      const nowMs = now();
      for (const row of rows.values()) renderAges(row, nowMs);
      renderSummary();
    },
    /** @param {string} id */
    focusRow(id) {
      const row = rows.get(id);
      if (row?.tr.isConnected) row.tr.focus();
    },
    /** @param {string} id */
    has: (id) => rows.has(id),
    size: () => rows.size,
  };
}
