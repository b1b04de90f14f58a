import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderSizingDoc, SIZING_GOALS, type SystemLine, sizingSlope, systemLines } from "./sizing-doc.ts";
import { RESULTS_FILE, readResults, SIZING_DOC } from "./write-sizing-doc.ts";

const line = (
  workers: number,
  cores: number,
  rss: number,
  extra: Partial<SystemLine> = {},
): SystemLine & Record<string, unknown> => ({
  bench: "system",
  workers,
  cycles: 3,
  intervalSeconds: 60,
  serviceCpuCores: cores,
  perServiceCpuCores: { api: cores / 2, "collector-cml": cores / 2 },
  perServiceRssMb: { api: rss / 2, "collector-cml": rss / 2 },
  simulatorCpuCores: 0.1,
  rssMbTotal: rss,
  freshnessP95Seconds: { ec2: 61, cloudwatch: 62, cml: 58 },
  refreshWaitP95Ms: 1_200,
  apiListP99Ms: 20,
  ...extra,
});

describe("sizing page", () => {
  it("gives cores and MB per 1,000 workers between the smallest and the largest fleet", () => {
    const slope = sizingSlope([line(1_000, 0.1, 900), line(5_000, 0.3, 1_300)]);
    expect(slope?.coresPer1000).toBeCloseTo(0.05, 9);
    expect(slope?.mbPer1000).toBeCloseTo(100, 9);
    expect(slope?.baseCores).toBeCloseTo(0.05, 9);
    expect(slope?.baseMb).toBeCloseTo(800, 9);
    expect(sizingSlope([line(1_000, 0.1, 900)])).toBeUndefined();
  });

  it("lists every fleet size, and says which goal at 5,000 workers was met and which missed by how much", () => {
    const text = renderSizingDoc({
      ranAt: "2026-12-04T00:00:00.000Z",
      lines: systemLines([
        { bench: "api", p99Ms: 5 },
        line(5_000, 0.62, 1_400, { apiListP99Ms: 51.5 }),
        line(1_000, 0.2, 1_000),
      ]),
    });
    expect(text).toMatch(/\| 1,000 \| 0\.20 \| 1000 \|/);
    expect(text).toMatch(/\| 5,000 \| 0\.62 \| 1400 \|/);
    expect(text.indexOf("| 1,000 |")).toBeLessThan(text.indexOf("| 5,000 |"));
    expect(text).toContain("0.105 cores and 100 MB per 1,000 workers");
    expect(text).toContain(
      `services' average CPU: 0.62 cores — missed by 0.12 cores (goal ≤ ${SIZING_GOALS.serviceCpuCores} cores)`,
    );
    expect(text).toContain("RSS of all services: 1400 MB — met");
    expect(text).toContain("freshness p95, ec2: 61.0 s — met (goal ≤ 65 s)");
    expect(text).toContain("p99: 51.5 ms — missed by 1.5 ms (goal < 50 ms)");
  });

  it("is what bench/results.json gives (regenerate with npm run docs:sizing)", () => {
    const { ranAt, results } = readResults(RESULTS_FILE);
    expect(readFileSync(SIZING_DOC, "utf8")).toBe(renderSizingDoc({ ranAt, lines: systemLines(results) }));
  });
});
