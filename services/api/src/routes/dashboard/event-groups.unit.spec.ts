import { describe, expect, it } from "vitest";

interface EventItem {
  name: string;
  event: { id: string; type: string; time?: string; data?: Record<string, unknown> };
}
interface EventGroups {
  groupEvents(
    items: EventItem[],
  ): Array<{ name: string; event: { id: string }; oldest: { id: string }; count: number }>;
}

// The dashboard's browser module, loaded as-is (plain ES module without a build step).
const groupsUrl = new URL("../../../public/js/event-groups.js", import.meta.url).href;
const { groupEvents } = (await import(groupsUrl)) as EventGroups;

let counter = 0;
function item(name: string, data: Record<string, unknown>): EventItem {
  counter += 1;
  return { name, event: { id: `e-${counter}`, type: `io.cml-telemetry.worker.${name}.v1`, data } };
}

const ec2 = (version: number, state = "running") =>
  item("ec2_metrics_updated", {
    version,
    observedAt: `2026-11-25T12:0${version}:00.000Z`,
    checkedAt: `2026-11-25T12:0${version}:00.000Z`,
    instanceState: state,
    instanceStatusCheck: "ok",
    systemStatusCheck: "ok",
  });

describe("event groups", () => {
  it("collapses a run of identical metrics updates into one line counting them, newest first", () => {
    const newest = ec2(9);
    const items = [newest, ec2(8), ec2(7), ec2(6, "stopping"), ec2(5), ec2(4)];
    const groups = groupEvents(items);
    expect(groups.map((group) => [group.name, group.count])).toEqual([
      ["ec2_metrics_updated", 3],
      ["ec2_metrics_updated", 1],
      ["ec2_metrics_updated", 2],
    ]);
    expect(groups[0]?.event.id).toBe(newest.event.id);
    expect(groups[0]?.oldest.id).toBe(items[2]?.event.id);
  });

  it("never collapses other events, nor updates of different kinds", () => {
    const status = (version: number) =>
      item("status_changed", { version, oldStatus: "PENDING", newStatus: "RUNNING" });
    const cml = item("cml_metrics_updated", { version: 3, ready: true, labsCount: 2 });
    const groups = groupEvents([status(5), status(4), cml, ec2(2), ec2(1)]);
    expect(groups.map((group) => group.count)).toEqual([1, 1, 1, 2]);
  });
});
