import { describe, expect, it } from "vitest";
import { aWorkerState } from "../testing/worker-state-builder.ts";
import { toWorkerView } from "./worker-view.ts";
import { createWorkerViewCache } from "./worker-view-cache.ts";

describe("worker view cache", () => {
  const state = aWorkerState({
    cmlReadySince: "2026-11-25T11:00:00.000Z",
    lastActivityAt: "2026-11-25T11:30:00.000Z",
    activeLabsCount: 0,
    cmlMetrics: { ...aWorkerState().cmlMetrics, ready: true },
  });

  it("answers exactly what serialising the view anew answers, at every instant", () => {
    const cache = createWorkerViewCache(30);
    const start = Date.parse("2026-11-25T11:59:58.500Z");
    for (let offset = 0; offset < 4_000; offset += 250) {
      const now = new Date(start + offset);
      expect(cache.json(state, now)).toBe(JSON.stringify(toWorkerView(state, now, 30)));
    }
  });

  it("flips is_idle exactly at the threshold", () => {
    const cache = createWorkerViewCache(30);
    const flip = Date.parse("2026-11-25T12:00:00.000Z");
    for (const at of [flip - 1, flip, flip + 1, flip + 2]) {
      const parsed = JSON.parse(cache.json(state, new Date(at))) as { is_idle: boolean };
      expect(parsed.is_idle).toBe(at > flip);
    }
  });
});
