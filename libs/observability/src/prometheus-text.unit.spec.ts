import { MeterProvider } from "@opentelemetry/sdk-metrics";
import { describe, expect, it } from "vitest";
import { collectPrometheusText, createPrometheusReader } from "./prometheus-text.ts";

describe("collectPrometheusText", () => {
  it("renders gauges of an external provider without any HTTP server", async () => {
    const reader = createPrometheusReader();
    const provider = new MeterProvider({ readers: [reader] });
    const gauge = provider.getMeter("api").createGauge("cml_worker_cpu_utilization");
    gauge.record(42.5, { worker_id: "w-1", region: "us-east-1" });
    const text = await collectPrometheusText(reader);
    expect(text).toMatch(/cml_worker_cpu_utilization\{worker_id="w-1",region="us-east-1"[^}]*\} 42\.5/);
    await provider.shutdown();
  });
});
