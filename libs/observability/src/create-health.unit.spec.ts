import { describe, expect, it } from "vitest";
import { createHealth } from "./create-health.ts";

describe("createHealth", () => {
  it("is not ready without checks", () => {
    expect(createHealth().isReady()).toBe(false);
  });

  it("becomes ready when every check is ready and toggles back", () => {
    let clock = Date.parse("2026-01-01T00:00:00Z");
    const health = createHealth(["nats", "consumer"], () => new Date(clock));
    expect(health.isReady()).toBe(false);
    health.set("nats", true);
    expect(health.isReady()).toBe(false);
    clock += 1000;
    health.set("consumer", true);
    expect(health.isReady()).toBe(true);
    clock += 1000;
    health.set("nats", false, "connection lost");
    expect(health.report()).toEqual({
      ready: false,
      checks: {
        nats: { ready: false, detail: "connection lost", since: "2026-01-01T00:00:02.000Z" },
        consumer: { ready: true, since: "2026-01-01T00:00:01.000Z" },
      },
    });
  });

  it("keeps `since` while the state does not change and registers lazily", () => {
    let clock = 0;
    const health = createHealth([], () => new Date(clock));
    health.set("store", true);
    clock = 5000;
    health.set("store", true, "still fine");
    expect(health.report().checks.store?.since).toBe(new Date(0).toISOString());
    health.register("store");
    health.register("kv");
    expect(health.report().checks.kv).toEqual({
      ready: false,
      detail: "not started",
      since: new Date(5000).toISOString(),
    });
    expect(health.isReady()).toBe(false);
  });
});
