import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderConfigDoc, renderConfigTable } from "./render-config-table.ts";
import { CONFIG_DOC_PATH } from "./write-config-docs.ts";

describe("configuration docs", () => {
  it("docs/operations/configuration.md is up to date (regenerate: node libs/config/src/write-config-docs.ts)", () => {
    expect(readFileSync(CONFIG_DOC_PATH, "utf8")).toBe(renderConfigDoc());
  });

  it("lists each variable once with its services, default and description", () => {
    const table = renderConfigTable();
    expect(table).toContain("| `NATS_URL` | all | `nats://127.0.0.1:4222` | NATS server URL");
    expect(table).toContain(
      "| `CML_PASSWORD` | collector-cml | — | Password of `CML_USERNAME`. **Secret** (never logged). |",
    );
    // The api serves its /metrics, /healthz and /readyz on API_PORT (DESIGN §7): it has no METRICS_PORT.
    expect(table).toMatch(
      /\| `METRICS_PORT` \| collector-ec2, .*metrics-history, worker-lifecycle \| collector-ec2: `9464`<br>.*metrics-history: `9468`<br>worker-lifecycle: `9469` \|/,
    );
    expect(table).not.toMatch(/\| `METRICS_PORT` \|[^\n]*api/);
    expect(table.match(/\| `NATS_URL` \|/g)).toHaveLength(1);
    for (const line of table.trim().split("\n").slice(2))
      expect(line.split(" | ").at(-1)?.length).toBeGreaterThan(10);
  });
});
