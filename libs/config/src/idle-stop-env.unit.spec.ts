import { describe, expect, it } from "vitest";
import { ConfigError } from "./config-error.ts";
import { parseEnv } from "./parse-env.ts";
import { workerLifecycleConfigSchema } from "./services/worker-lifecycle.ts";

const load = (env: Record<string, string>) =>
  parseEnv(workerLifecycleConfigSchema, env, { context: "worker-lifecycle" });

describe("worker-lifecycle config", () => {
  it("defaults to the idle policy off, a 60-minute snooze, no windows, the AWS Price List API in us-east-1", () => {
    expect(load({})).toMatchObject({
      IDLE_STOP_MODE: "off",
      IDLE_STOP_SNOOZE_MINUTES: 60,
      IDLE_STOP_WINDOWS: [],
      IDLE_THRESHOLD_MINUTES: 30,
      IDLE_CHECK_INTERVAL_SECONDS: 60,
      COLLECT_INTERVAL_CML_SECONDS: 60,
      PRICING_REGION: "us-east-1",
      METRICS_PORT: 9469,
      CML_REGIONS: ["us-east-1"],
      AWS_REGION: "us-east-1",
    });
    expect(load({}).PRICES_FILE).toBeUndefined();
  });

  it("parses the mode, the snooze and DESIGN's window form", () => {
    const config = load({
      IDLE_STOP_MODE: "dry-run",
      IDLE_STOP_SNOOZE_MINUTES: "15",
      IDLE_STOP_WINDOWS: "Sat 02:00-06:00 UTC, Mon-Fri 22:00-23:00",
      PRICES_FILE: "/etc/cml/prices.json",
      AWS_ENDPOINT_URL_PRICING: "http://127.0.0.1:4566",
    });
    expect(config.IDLE_STOP_MODE).toBe("dry-run");
    expect(config.IDLE_STOP_SNOOZE_MINUTES).toBe(15);
    expect(config.IDLE_STOP_WINDOWS.map((window) => window.text)).toEqual([
      "Sat 02:00-06:00 UTC",
      "Mon-Fri 22:00-23:00",
    ]);
    expect(config.PRICES_FILE).toBe("/etc/cml/prices.json");
  });

  it.each([
    ["IDLE_STOP_MODE", "yes", "expected one of off, dry-run, on"],
    ["IDLE_STOP_WINDOWS", "Sat 02:00-06:00 CET", "only UTC"],
    ["IDLE_STOP_WINDOWS", "weekends", "expected <days> HH:MM-HH:MM UTC"],
    ["IDLE_STOP_SNOOZE_MINUTES", "-5", "expected an integer"],
    ["PRICING_REGION", "Mars", "AWS region"],
  ])("refuses %s=%s with a clear message", (name, value, message) => {
    expect(() => load({ [name]: value })).toThrow(ConfigError);
    expect(() => load({ [name]: value })).toThrow(message);
    expect(() => load({ [name]: value })).toThrow(name);
  });
});
