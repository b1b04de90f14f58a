import { describe, expect, it } from "vitest";
import { aWorkerState } from "../testing/worker-state-builder.ts";
import { applicableSources, canConnect, cmlUptimeSeconds, isIdle } from "./worker-rules.ts";

const now = new Date("2026-11-25T12:00:00.000Z");

describe("isIdle (DESIGN §5)", () => {
  it.each<[string | null, number, boolean, string]>([
    [null, 0, false, "never active"],
    ["2026-11-25T11:29:59.000Z", 0, true, "30 min and 1 s ago, no labs"],
    ["2026-11-25T11:30:00.000Z", 0, false, "exactly the threshold"],
    ["2026-11-25T11:00:00.000Z", 1, false, "labs running"],
  ])("lastActivityAt=%s activeLabs=%i → %s (%s)", (lastActivityAt, activeLabsCount, expected) => {
    expect(isIdle({ lastActivityAt, activeLabsCount }, now, 30)).toBe(expected);
  });
});

describe("canConnect", () => {
  it("needs RUNNING, AVAILABLE and an endpoint", () => {
    expect(canConnect(aWorkerState())).toBe(true);
    expect(canConnect(aWorkerState({ status: "STOPPED" }))).toBe(false);
    expect(canConnect(aWorkerState({ serviceStatus: "STARTING" }))).toBe(false);
    expect(canConnect(aWorkerState({ httpsEndpoint: null }))).toBe(false);
  });
});

describe("cmlUptimeSeconds", () => {
  it("is now − cmlReadySince while ready, else null", () => {
    const ready = aWorkerState({ cmlReadySince: "2026-11-25T11:59:00.000Z" });
    expect(cmlUptimeSeconds({ ...ready, cmlMetrics: { ...ready.cmlMetrics, ready: true } }, now)).toBe(60);
    expect(cmlUptimeSeconds({ ...ready, cmlMetrics: { ...ready.cmlMetrics, ready: false } }, now)).toBeNull();
    expect(cmlUptimeSeconds(aWorkerState({ cmlReadySince: null }), now)).toBeNull();
  });

  it("is null for a worker that is not RUNNING, whatever readiness a record written before the stop kept", () => {
    const stale = aWorkerState({ status: "STOPPED", cmlReadySince: "2026-05-01T00:00:00.000Z" });
    expect(cmlUptimeSeconds({ ...stale, cmlMetrics: { ...stale.cmlMetrics, ready: true } }, now)).toBeNull();
  });
});

describe("applicableSources", () => {
  it("gates cloudwatch on RUNNING and cml on RUNNING with an endpoint", () => {
    expect(applicableSources({ status: "RUNNING", httpsEndpoint: "https://x" })).toEqual([
      "ec2",
      "cloudwatch",
      "cml",
    ]);
    expect(applicableSources({ status: "RUNNING", httpsEndpoint: null })).toEqual(["ec2", "cloudwatch"]);
    expect(applicableSources({ status: "PENDING", httpsEndpoint: "https://x" })).toEqual(["ec2"]);
  });
});
