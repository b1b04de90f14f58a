import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError } from "./config-error.ts";
import { configFields } from "./config-fields.ts";
import { envVar } from "./env-registry.ts";
import { envInt, envString } from "./env-types.ts";
import { natsEnv } from "./nats-env.ts";
import { parseEnv } from "./parse-env.ts";
import { loadServiceConfig, SERVICE_NAMES, serviceConfigSchemas } from "./service-schemas.ts";

const HASH = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

function configErrorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("service defaults", () => {
  it("every service starts from an empty environment", () => {
    for (const service of SERVICE_NAMES) expect(() => loadServiceConfig(service, {})).not.toThrow();
  });

  it("collector-ec2 defaults", () => {
    expect(loadServiceConfig("collector-ec2", {})).toEqual({
      NATS_URL: "nats://127.0.0.1:4222",
      TELEMETRY_RETENTION_DAYS: 7,
      LOG_LEVEL: "info",
      METRICS_PORT: 9464,
      AWS_REGION: "us-east-1",
      CML_REGIONS: ["us-east-1"],
      CML_WORKER_TAG: "cml:worker",
      COLLECT_INTERVAL_EC2_SECONDS: 60,
      DISCOVERY_INTERVAL_SECONDS: 300,
      EC2_NOT_FOUND_GRACE_SECONDS: 900,
    });
  });

  it("collector-cloudwatch defaults to one-minute slots and the first region", () => {
    const config = loadServiceConfig("collector-cloudwatch", { CML_REGIONS: "eu-west-1,us-east-2" });
    expect(config).toMatchObject({
      COLLECT_INTERVAL_CLOUDWATCH_SECONDS: 60,
      AWS_REGION: "eu-west-1",
      METRICS_PORT: 9465,
    });
  });

  it("collector-cml defaults", () => {
    expect(loadServiceConfig("collector-cml", {})).toMatchObject({
      METRICS_PORT: 9466,
      COLLECT_INTERVAL_CML_SECONDS: 60,
      CML_VERIFY_TLS: true,
      CML_CONCURRENCY: 32,
      CML_TIMEOUT_SECONDS: 10,
    });
  });

  it("worker-aggregate and metrics-history defaults", () => {
    expect(loadServiceConfig("worker-aggregate", {})).toMatchObject({
      METRICS_PORT: 9467,
      IDLE_THRESHOLD_MINUTES: 30,
      IDLE_CHECK_INTERVAL_SECONDS: 60,
    });
    const history = loadServiceConfig("metrics-history", {});
    expect(history).toMatchObject({
      METRICS_PORT: 9468,
      MONGODB_DB: "cml_telemetry",
      HISTORY_RETENTION_DAYS: 30,
      TELEMETRY_RETENTION_DAYS: 7,
    });
    expect(history.MONGODB_URI).toBeUndefined();
  });

  it("api listens on loopback without tokens and on all interfaces with them", () => {
    expect(loadServiceConfig("api", {})).toMatchObject({
      API_PORT: 8080,
      API_HOST: "127.0.0.1",
      API_TOKENS: [],
      API_CORS_ORIGINS: [],
      REFRESH_WAIT_MAX_SECONDS: 30,
    });
    const withTokens = loadServiceConfig("api", { API_TOKENS: `ci:operator:${HASH}` });
    expect(withTokens.API_HOST).toBe("0.0.0.0");
    expect(withTokens.API_TOKENS).toEqual([{ name: "ci", role: "operator", sha256: HASH }]);
    expect(loadServiceConfig("api", { API_HOST: "10.0.0.5" }).API_HOST).toBe("10.0.0.5");
  });

  it("api: refuses CORS for any origin (`*`) without tokens, and origins that are not origins", () => {
    expect(() => loadServiceConfig("api", { API_CORS_ORIGINS: "*" })).toThrow(
      /API_CORS_ORIGINS.*API_TOKENS/s,
    );
    expect(
      loadServiceConfig("api", { API_CORS_ORIGINS: "*", API_TOKENS: `ci:operator:${HASH}` }).API_CORS_ORIGINS,
    ).toEqual(["*"]);
    expect(loadServiceConfig("api", { API_CORS_ORIGINS: "http://localhost:5173" }).API_CORS_ORIGINS).toEqual([
      "http://localhost:5173",
    ]);
    expect(() => loadServiceConfig("api", { API_CORS_ORIGINS: "https://dash.example.com/" })).toThrow(
      /API_CORS_ORIGINS/,
    );
  });

  it("api: reads the idle auto-stop policy it shows (shared with worker-lifecycle) and bounds the lifecycle wait", () => {
    expect(loadServiceConfig("api", {})).toMatchObject({
      IDLE_STOP_MODE: "off",
      IDLE_STOP_SNOOZE_MINUTES: 60,
      IDLE_STOP_WINDOWS: [],
      LIFECYCLE_WAIT_MAX_SECONDS: 60,
    });
    const config = loadServiceConfig("api", {
      IDLE_STOP_MODE: "on",
      IDLE_STOP_SNOOZE_MINUTES: "15",
      IDLE_STOP_WINDOWS: "Sat 02:00-06:00 UTC",
      LIFECYCLE_WAIT_MAX_SECONDS: "120",
    });
    expect(config.IDLE_STOP_MODE).toBe("on");
    expect(config.IDLE_STOP_SNOOZE_MINUTES).toBe(15);
    expect(config.IDLE_STOP_WINDOWS.map((window) => window.text)).toEqual(["Sat 02:00-06:00 UTC"]);
    expect(config.LIFECYCLE_WAIT_MAX_SECONDS).toBe(120);
    expect(() => loadServiceConfig("api", { IDLE_STOP_MODE: "maybe" })).toThrow(/IDLE_STOP_MODE/);
    expect(() => loadServiceConfig("api", { LIFECYCLE_WAIT_MAX_SECONDS: "301" })).toThrow(
      /LIFECYCLE_WAIT_MAX_SECONDS/,
    );
  });

  it("api: live connection caps, refresh interval, METRICS_TOKEN and the collect intervals of the sources", () => {
    expect(loadServiceConfig("api", {})).toMatchObject({
      API_LIVE_MAX_CONNECTIONS: 1_000,
      API_LIVE_MAX_CONNECTIONS_PER_TOKEN: 100,
      API_SSE_WRITE_TIMEOUT_SECONDS: 30,
      API_WS_MAX_SUBSCRIPTIONS: 32,
      API_WS_MAX_MESSAGE_BYTES: 65_536,
      API_WS_PING_INTERVAL_SECONDS: 30,
      REFRESH_MIN_INTERVAL_SECONDS: 10,
      COLLECT_INTERVAL_EC2_SECONDS: 60,
      COLLECT_INTERVAL_CLOUDWATCH_SECONDS: 60,
      COLLECT_INTERVAL_CML_SECONDS: 60,
    });
    expect(loadServiceConfig("api", {}).METRICS_TOKEN).toBeUndefined();
    expect(loadServiceConfig("api", { METRICS_TOKEN: HASH }).METRICS_TOKEN).toBe(HASH);
    expect(() => loadServiceConfig("api", { METRICS_TOKEN: "plain-token" })).toThrow(
      /METRICS_TOKEN.*value hidden/s,
    );
    expect(
      loadServiceConfig("api", { COLLECT_INTERVAL_CML_SECONDS: "5m" }).COLLECT_INTERVAL_CML_SECONDS,
    ).toBe(300);
  });

  it("every service but the api has a distinct default METRICS_PORT; the api has none (all on API_PORT)", () => {
    const withPort = SERVICE_NAMES.filter((service) => service !== "api");
    const ports = withPort.map((service) => {
      const config: Record<string, unknown> = loadServiceConfig(service, {});
      return config.METRICS_PORT;
    });
    expect(ports.every((port) => typeof port === "number" && port > 0)).toBe(true);
    expect(new Set(ports).size).toBe(withPort.length);
    expect(loadServiceConfig("api", { METRICS_PORT: "9469" })).not.toHaveProperty("METRICS_PORT");
  });
});

describe("parseEnv", () => {
  it("treats blank values as unset and ignores unknown variables", () => {
    const config = parseEnv(serviceConfigSchemas["collector-cml"], {
      CML_CONCURRENCY: "  ",
      PATH: "/usr/bin",
      CML_VERIFY_TLS: "0",
    });
    expect(config.CML_CONCURRENCY).toBe(32);
    expect(config.CML_VERIFY_TLS).toBe(false);
    expect(config).not.toHaveProperty("PATH");
  });

  it("parses overrides", () => {
    const config = loadServiceConfig("collector-ec2", {
      NATS_URL: "nats://nats:4222",
      CML_REGIONS: "us-east-1, eu-central-1",
      COLLECT_INTERVAL_EC2_SECONDS: "2m",
      METRICS_PORT: "0",
      LOG_LEVEL: "debug",
    });
    expect(config).toMatchObject({
      NATS_URL: "nats://nats:4222",
      CML_REGIONS: ["us-east-1", "eu-central-1"],
      COLLECT_INTERVAL_EC2_SECONDS: 120,
      METRICS_PORT: 0,
      LOG_LEVEL: "debug",
    });
  });

  it("reads CML certificate pinning: tofu, or fingerprints with or without colons", () => {
    const hex = "ab".repeat(32);
    const colons = Array.from({ length: 32 }, () => "AB").join(":");
    expect(loadServiceConfig("collector-cml", { CML_TLS_PIN: "TOFU" }).CML_TLS_PIN).toEqual({ kind: "tofu" });
    expect(
      loadServiceConfig("collector-cml", {
        CML_TLS_PIN: `${hex}, ${colons}`,
        CML_TLS_SERVER_NAME: "cml.lab.example",
      }),
    ).toMatchObject({
      CML_TLS_PIN: { kind: "fingerprints", fingerprints: [hex, colons] },
      CML_TLS_SERVER_NAME: "cml.lab.example",
    });
    expect(loadServiceConfig("collector-cml", {}).CML_TLS_PIN).toBeUndefined();
    const error = configErrorOf(() =>
      loadServiceConfig("collector-cml", { CML_TLS_PIN: `${hex},abc`, CML_TLS_SERVER_NAME: "https://x" }),
    );
    expect(error.issues.map((issue) => issue.variable)).toEqual(["CML_TLS_SERVER_NAME", "CML_TLS_PIN"]);
    expect(error.message).toContain("expected tofu, or a comma-separated list of SHA-256 fingerprints");
  });

  it("throws ONE ConfigError listing every bad variable with what was expected", () => {
    const error = configErrorOf(() =>
      loadServiceConfig("collector-cml", {
        NATS_URL: "http://nats:4222",
        METRICS_PORT: "70000",
        CML_VERIFY_TLS: "maybe",
        CML_CONCURRENCY: "lots",
        LOG_LEVEL: "loud",
      }),
    );
    expect(error.code).toBe("CONFIG_INVALID");
    expect(error.issues.map((issue) => issue.variable)).toEqual([
      "NATS_URL",
      "LOG_LEVEL",
      "METRICS_PORT",
      "CML_VERIFY_TLS",
      "CML_CONCURRENCY",
    ]);
    expect(error.message).toBe(
      [
        "Invalid configuration for collector-cml (5 problems):",
        '  - NATS_URL: expected a URL with scheme nats:// or tls:// or ws:// or wss:// (got "http://nats:4222")',
        '  - LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent (got "loud")',
        '  - METRICS_PORT: expected an integer between 0 and 65535 (got "70000")',
        '  - CML_VERIFY_TLS: expected true, false, 1 or 0 (got "maybe")',
        '  - CML_CONCURRENCY: expected an integer between 1 and 1024 (got "lots")',
      ].join("\n"),
    );
  });

  it("reports a missing required variable with its description", () => {
    const schema = z.object({
      ...natsEnv,
      TARGET: envVar(envString(), { description: "Name of the target." }),
      LIMIT: envVar(envInt({ min: 1 }), { description: "Upper limit." }),
    });
    const error = configErrorOf(() => parseEnv(schema, { LIMIT: "0" }, { context: "strict" }));
    expect(error.message).toBe(
      [
        "Invalid configuration for strict (2 problems):",
        "  - TARGET: required but not set; expected: Name of the target.",
        '  - LIMIT: expected an integer >= 1 (got "0")',
      ].join("\n"),
    );
    expect(configFields(schema).map((field) => [field.name, field.required])).toEqual([
      ["NATS_URL", false],
      ["NATS_CREDS", false],
      ["TARGET", true],
      ["LIMIT", true],
    ]);
  });

  it("never shows a secret's value in the error", () => {
    const error = configErrorOf(() =>
      loadServiceConfig("metrics-history", { MONGODB_URI: "postgres://user:hunter2@db" }),
    );
    expect(error.message).toContain(
      "MONGODB_URI: expected a URL with scheme mongodb:// or mongodb+srv:// (value hidden)",
    );
    expect(error.message).not.toContain("hunter2");
    const tokens = configErrorOf(() => loadServiceConfig("api", { API_TOKENS: "ci:operator:hunter2" }));
    expect(tokens.message).not.toContain("hunter2");
  });
});
