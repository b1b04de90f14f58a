import { describe, expect, it } from "vitest";
import { at, dateAt, WORKER_ID } from "../testing/worker-fixtures.ts";
import { initialState } from "./initial-state.ts";
import { canConnect, discoveredEndpoint, isIdle } from "./rules.ts";
import { isNewer, minutesBetween, uptimeSeconds } from "./uptime.ts";

const state = initialState(WORKER_ID);

describe("isIdle", () => {
  it("needs activity, no running labs and a last activity older than the threshold", () => {
    const active = { ...state, lastActivityAt: at(0), activeLabsCount: 0 };
    expect(isIdle(active, dateAt(31), 30)).toBe(true);
    expect(isIdle(active, dateAt(30), 30)).toBe(false);
    expect(isIdle({ ...active, activeLabsCount: 1 }, dateAt(120), 30)).toBe(false);
    expect(isIdle({ ...active, lastActivityAt: null }, dateAt(120), 30)).toBe(false);
  });
});

describe("canConnect", () => {
  it("needs RUNNING, AVAILABLE and an endpoint", () => {
    const ready = {
      ...state,
      status: "RUNNING",
      serviceStatus: "AVAILABLE",
      httpsEndpoint: "https://x",
    } as const;
    expect(canConnect(ready)).toBe(true);
    expect(canConnect({ ...ready, status: "STOPPED" })).toBe(false);
    expect(canConnect({ ...ready, serviceStatus: "STARTING" })).toBe(false);
    expect(canConnect({ ...ready, httpsEndpoint: null })).toBe(false);
  });
});

describe("discoveredEndpoint", () => {
  it("prefers the cml:endpoint tag, then the public IP", () => {
    expect(discoveredEndpoint({ "cml:endpoint": "https://cml.example.com" }, "1.2.3.4")).toEqual({
      endpoint: "https://cml.example.com",
      pinned: true,
    });
    expect(discoveredEndpoint({}, "1.2.3.4")).toEqual({ endpoint: "https://1.2.3.4", pinned: false });
    expect(discoveredEndpoint({}, null)).toEqual({ endpoint: null, pinned: false });
  });
});

describe("uptime", () => {
  it("is whole seconds since ready, never negative", () => {
    expect(uptimeSeconds(at(0), at(60))).toBe(3600);
    expect(uptimeSeconds(at(1), at(0))).toBe(0);
    expect(minutesBetween(at(0), at(44.9))).toBe(44);
  });
});

describe("isNewer", () => {
  it("orders by time, whatever the precision or offset of either timestamp", () => {
    expect(isNewer("2026-11-25T10:00:00.001Z", "2026-11-25T10:00:00.000Z")).toBe(true);
    expect(isNewer("2026-11-25T10:00:00.000Z", "2026-11-25T10:00:00.000Z")).toBe(false);
    expect(isNewer("2026-11-25T09:59:59.999Z", "2026-11-25T10:00:00.000Z")).toBe(false);
    expect(isNewer("2026-11-25T10:00:00.5Z", "2026-11-25T10:00:00.100Z")).toBe(true);
    expect(isNewer("2026-11-25T10:00:00Z", "2026-11-25T10:00:00.000Z")).toBe(false);
    expect(isNewer("2026-11-25T10:00:00.100000Z", "2026-11-25T10:00:00.099Z")).toBe(true);
    expect(isNewer("2026-11-25T11:00:00.000+02:00", "2026-11-25T10:00:00.000Z")).toBe(false);
    expect(isNewer("2026-11-25T10:00:00.000Z", null)).toBe(true);
  });
});
