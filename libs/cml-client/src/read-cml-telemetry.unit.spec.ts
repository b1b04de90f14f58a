import { describe, expect, it } from "vitest";
import { systemUsageOf } from "./read-cml-telemetry.ts";
import { type SystemStats, systemStatsSchema } from "./schemas.ts";

/** The documented 2.9.1 answer (float bytes, `cpu.hyperthreading`) plus a second compute. */
const documented = {
  computes: {
    "17e91b4e-865a-4627-a6bb-50e3dfa988ab": {
      hostname: "cml-controller",
      is_controller: true,
      stats: {
        cpu: { count: 6, percent: 4.1666, model: "x", hyperthreading: false, predicted: 43, load: [0.1875] },
        memory: { used: 2791538688.0, free: 13624754176.0, total: 16748994560.0 },
        disk: { used: 82798108672.0, free: 37041123328.0, total: 119839232000.0 },
        dominfo: {
          total_nodes: 182,
          total_orphans: 50,
          running_nodes: 8,
          running_orphans: 0,
          allocated_cpus: 7,
          allocated_memory: 6291456,
        },
      },
    },
    "2b0d1f4e-865a-4627-a6bb-50e3dfa988ac": {
      hostname: "cml-compute-1",
      is_controller: false,
      stats: {
        cpu: { count: 6, percent: 10 },
        memory: { used: 1000, free: 1000, total: 2000 },
        disk: { used: 10, free: 90, total: 100 },
        dominfo: { running_nodes: 5, total_nodes: null, allocated_cpus: 5, allocated_memory: 0 },
      },
    },
  },
  all: {
    cpu: { count: 12, percent: 4.1666 },
    memory: { used: 2791538688.0, free: 13624754176.0, total: 16748994560.0 },
    disk: { used: 82798108672, free: 37041123328, total: 119839232000 },
  },
  controller: { disk: { used: 77848326144.0, free: 37041123328.0, total: 119839232000.0 } },
};

const parse = (value: unknown): SystemStats => systemStatsSchema.parse(value);

describe("systemUsageOf", () => {
  it("takes cpu/memory/disk from `all` and sums running nodes over computes", () => {
    expect(systemUsageOf(parse(documented))).toEqual({
      cpuPercent: 4.17,
      memoryUsedPercent: 16.67,
      diskUsedPercent: 69.09,
      runningNodes: 13,
    });
  });

  it("treats null or missing dominfo as unknown, not zero", () => {
    const computes = Object.fromEntries(
      Object.entries(documented.computes).map(([id, compute]) => [
        id,
        { ...compute, stats: { ...compute.stats, dominfo: null } },
      ]),
    );
    expect(systemUsageOf(parse({ ...documented, computes })).runningNodes).toBeNull();
  });

  it("falls back to the computes when `all` is missing", () => {
    const { all: _all, ...withoutAll } = documented;
    const usage = systemUsageOf(parse(withoutAll));
    expect(usage.cpuPercent).toBe(7.08);
    expect(usage.memoryUsedPercent).toBe(16.67);
  });

  it("yields nulls for an empty controller instead of dividing by zero", () => {
    expect(systemUsageOf(parse({ computes: {}, all: { memory: { used: 0, free: 0, total: 0 } } }))).toEqual({
      cpuPercent: null,
      memoryUsedPercent: null,
      diskUsedPercent: null,
      runningNodes: null,
    });
  });
});
