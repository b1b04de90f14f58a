import { describe, expect, it } from "vitest";
import { byRegion, type CollectTarget, mergeTargets } from "./collect-target.ts";

function target(workerId: string, region: string, correlationId?: string): CollectTarget {
  return { workerId, region, instanceId: `i-${workerId}`, correlationIds: new Set([correlationId]) };
}

describe("collect targets", () => {
  it("merges targets of one worker, uniting correlation ids in first-seen order", () => {
    const merged = mergeTargets([target("a", "r1"), target("b", "r2", "c1"), target("a", "r1", "c2")]);
    expect(merged.map((t) => t.workerId)).toEqual(["a", "b"]);
    expect([...(merged[0]?.correlationIds ?? [])]).toEqual([undefined, "c2"]);
  });

  it("groups targets by region", () => {
    const groups = byRegion([target("a", "r1"), target("b", "r2"), target("c", "r1")]);
    expect([...groups].map(([region, list]) => [region, list.map((t) => t.workerId)])).toEqual([
      ["r1", ["a", "c"]],
      ["r2", ["b"]],
    ]);
  });
});
