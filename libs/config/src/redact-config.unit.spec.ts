import { describe, expect, it } from "vitest";
import { REDACTED, redactConfig, SECRET_ENV_VARS } from "./redact-config.ts";
import { loadServiceConfig } from "./service-schemas.ts";

const HASH = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

describe("redactConfig", () => {
  it("knows every secret variable", () => {
    expect([...SECRET_ENV_VARS].sort()).toEqual([
      "API_TOKENS",
      "CML_PASSWORD",
      "METRICS_TOKEN",
      "MONGODB_URI",
      "NATS_CREDS",
    ]);
  });

  it("replaces set secrets and keeps everything else", () => {
    const cml = loadServiceConfig("collector-cml", {
      CML_USERNAME: "admin",
      CML_PASSWORD: "hunter2",
      NATS_CREDS: "/run/secrets/nats.creds",
    });
    const redacted = redactConfig(cml);
    expect(redacted).toMatchObject({
      CML_USERNAME: "admin",
      CML_PASSWORD: REDACTED,
      NATS_CREDS: REDACTED,
      CML_CONCURRENCY: 32,
    });
    expect(JSON.stringify(redacted)).not.toContain("hunter2");
    expect(cml.CML_PASSWORD).toBe("hunter2");
  });

  it("redacts parsed tokens and connection strings", () => {
    const api = redactConfig(loadServiceConfig("api", { API_TOKENS: `ci:operator:${HASH}` }));
    expect(api.API_TOKENS).toBe(REDACTED);
    expect(JSON.stringify(api)).not.toContain(HASH);
    const history = redactConfig(
      loadServiceConfig("metrics-history", { MONGODB_URI: "mongodb://u:hunter2@mongo:27017" }),
    );
    expect(history.MONGODB_URI).toBe(REDACTED);
  });

  it("leaves unset secrets visible as unset", () => {
    expect(redactConfig(loadServiceConfig("api", {})).API_TOKENS).toEqual([]);
    expect(redactConfig({ MONGODB_URI: undefined }).MONGODB_URI).toBeUndefined();
  });
});
