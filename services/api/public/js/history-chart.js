/**
 * @typedef {{ start: string, source: string, count: number, metrics: Record<string, { avg: number, min: number, max: number, count: number }> }} Bucket
 * @typedef {{ worker_id: string, from: string, to: string, interval_seconds: number | null, buckets?: Bucket[] }} HistoryReply
 * @typedef {{ label: string, rangeMs: number, intervalSeconds: number }} HistoryRange
 * @typedef {"1h" | "24h" | "7d" | "30d"} RangeKey
 */

/** The chart's ranges and their bucket widths (about 60–300 points each). */
export const HISTORY_RANGES = /** @type {Record<RangeKey, HistoryRange>} */ ({
  "1h": { label: "1 h", rangeMs: 3_600_000, intervalSeconds: 60 },
  "24h": { label: "24 h", rangeMs: 86_400_000, intervalSeconds: 300 },
  "7d": { label: "7 d", rangeMs: 7 * 86_400_000, intervalSeconds: 3_600 },
  "30d": { label: "30 d", rangeMs: 30 * 86_400_000, intervalSeconds: 14_400 },
});

/** History metrics the chart asks for (API names). */
export const CHART_METRICS = "cpu,memory,labs_count";

/**
 * Merges the per-source buckets into aligned uPlot columns: time (s), CPU %, memory % (CloudWatch averages) and
 * labs (CML average); a bucket without a value is a gap.
 * @param {HistoryReply} reply
 * @returns {[number[], (number | null)[], (number | null)[], (number | null)[]]}
 */
export function historyColumns(reply) {
  /** @type {Map<number, { cpu: number | null, memory: number | null, labs: number | null }>} */
  const byTime = new Map();
  for (const bucket of reply.buckets ?? []) {
    const time = Math.floor(Date.parse(bucket.start) / 1000);
    const point = byTime.get(time) ?? { cpu: null, memory: null, labs: null };
    point.cpu = bucket.metrics.cpu?.avg ?? point.cpu;
    point.memory = bucket.metrics.memory?.avg ?? point.memory;
    point.labs = bucket.metrics.labs_count?.avg ?? point.labs;
    byTime.set(time, point);
  }
  const times = [...byTime.keys()].sort((a, b) => a - b);
  const points = times.map(
    (time) =>
      /** @type {{ cpu: number | null, memory: number | null, labs: number | null }} */ (byTime.get(time)),
  );
  return [times, points.map((p) => p.cpu), points.map((p) => p.memory), points.map((p) => p.labs)];
}

/**
 * Draws the columns with uPlot (loaded from `/assets/vendor/uplot.min.js`) into `container`.
 * @param {HTMLElement} container
 * @param {ReturnType<typeof historyColumns>} columns
 * @param {[number, number]} timeWindow the requested range in epoch seconds, so sparse data keeps its time axis
 * @returns {{ destroy(): void, resize(width: number): void }}
 */
export function drawHistoryChart(container, columns, timeWindow) {
  const uPlot = /** @type {any} */ (globalThis).uPlot;
  if (typeof uPlot !== "function")
    throw new Error("the chart library did not load (/assets/vendor/uplot.min.js)");
  const width = Math.max(280, container.clientWidth);
  const chart = new uPlot(
    {
      width,
      height: 260,
      scales: {
        x: { time: true, range: () => timeWindow },
        pct: { range: [0, 100] },
        labs: {
          range: (
            /** @type {unknown} */ _u,
            /** @type {number} */ _min,
            /** @type {number | null} */ max,
          ) => [0, Math.max(1, Math.ceil(max ?? 1))],
        },
      },
      series: [
        { label: "Time" },
        { label: "CPU %", scale: "pct", stroke: "#1f5fbf", width: 2, spanGaps: true },
        { label: "Memory %", scale: "pct", stroke: "#b3400f", width: 2, spanGaps: true },
        { label: "Labs", scale: "labs", stroke: "#2d7a32", width: 2, dash: [6, 4], spanGaps: true },
      ],
      axes: [
        { stroke: "#333" },
        { scale: "pct", label: "%", stroke: "#333" },
        { scale: "labs", side: 1, label: "labs", stroke: "#333", grid: { show: false } },
      ],
    },
    columns,
    container,
  );
  return {
    destroy: () => chart.destroy(),
    resize: (next) => chart.setSize({ width: Math.max(280, next), height: 260 }),
  };
}
