import { priceKey } from "@cml-telemetry/lifecycle";
import { describe, expect, it } from "vitest";
import { aWorkerState } from "../testing/worker-state-builder.ts";
import { aWorkerViewContext } from "../testing/worker-view-context.ts";
import { toWorkerView } from "./worker-view.ts";
import { createWorkerViewCache } from "./worker-view-cache.ts";

describe("worker view cache", () => {
  const state = aWorkerState({
    cmlReadySince: "2026-11-25T11:00:00.000Z",
    lastActivityAt: "2026-11-25T11:30:00.000Z",
    runningSince: "2026-11-25T08:00:00.000Z",
    activeLabsCount: 0,
    cmlMetrics: { ...aWorkerState().cmlMetrics, ready: true },
  });

  it("answers exactly what serialising the view anew answers, at every instant, priced or not", () => {
    const priced = aWorkerViewContext({ mode: "dry-run" });
    priced.prices.upsert(priceKey("us-east-1", "m5zn.metal"), {
      hourlyUsd: 3.9641,
      source: "pricing-api",
      fetchedAt: "2026-11-25T00:00:00.000Z",
    });
    // Idle from 12:00:00 on, then skipped (its CML labs were never read): idle_policy changes on the way.
    const states = new Set<string>();
    for (const context of [priced, aWorkerViewContext({ mode: "on" })]) {
      const cache = createWorkerViewCache(context);
      const start = Date.parse("2026-11-25T11:59:58.500Z");
      for (let offset = 0; offset < 4_000; offset += 250) {
        const now = new Date(start + offset);
        const json = cache.json(state, now);
        expect(json).toBe(JSON.stringify(toWorkerView(state, now, context)));
        states.add(JSON.stringify((JSON.parse(json) as { idle_policy: unknown }).idle_policy));
      }
    }
    expect(states.size).toBe(4);
  });

  it("flips is_idle exactly at the threshold", () => {
    const cache = createWorkerViewCache(aWorkerViewContext());
    const flip = Date.parse("2026-11-25T12:00:00.000Z");
    for (const at of [flip - 1, flip, flip + 1, flip + 2]) {
      const parsed = JSON.parse(cache.json(state, new Date(at))) as { is_idle: boolean };
      expect(parsed.is_idle).toBe(at > flip);
    }
  });

  it("shows a price as soon as it is known, and the cost growing while the state stays the same", () => {
    const context = aWorkerViewContext();
    const cache = createWorkerViewCache(context);
    const costAt = (iso: string) =>
      (JSON.parse(cache.json(state, new Date(iso))) as { cost: Record<string, number | null> }).cost;
    expect(costAt("2026-11-25T10:00:00.000Z")).toEqual({
      hourly_usd: null,
      running_hours_month_to_date: 2,
      month_to_date_usd: null,
      saved_by_idle_stop_usd_month_to_date: null,
    });
    context.prices.upsert(priceKey("us-east-1", "m5zn.metal"), {
      hourlyUsd: 4,
      source: "file",
      fetchedAt: "2026-11-25T00:00:00.000Z",
    });
    expect(costAt("2026-11-25T10:00:00.000Z")).toMatchObject({ hourly_usd: 4, month_to_date_usd: 8 });
    expect(costAt("2026-11-25T11:00:00.000Z")).toMatchObject({
      running_hours_month_to_date: 3,
      month_to_date_usd: 12,
    });
  });
});
