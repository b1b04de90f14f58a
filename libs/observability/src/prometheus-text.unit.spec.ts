import { MeterProvider } from "@opentelemetry/sdk-metrics";
import { describe, expect, it } from "vitest";
import { collectPrometheusText, createPrometheusReader, createSnapshotReader } from "./prometheus-text.ts";

describe("collectPrometheusText", () => {
  it("renders gauges of an external provider without any HTTP server, the scope label only on request", async () => {
    const reader = createPrometheusReader();
    const provider = new MeterProvider({ readers: [reader] });
    const gauge = provider.getMeter("api").createGauge("cml_worker_cpu_utilization");
    gauge.record(42.5, { worker_id: "w-1", region: "us-east-1" });
    const text = await collectPrometheusText(reader);
    expect(text).toMatch(
      /cml_worker_cpu_utilization\{worker_id="w-1",region="us-east-1",otel_scope_name="api"\} 42\.5/,
    );
    const plain = await collectPrometheusText(reader, { withoutScopeInfo: true });
    expect(plain).toContain('cml_worker_cpu_utilization{worker_id="w-1",region="us-east-1"} 42.5');
    expect(plain).not.toContain("otel_scope_name");
    expect(plain).toContain("target_info");
    await provider.shutdown();
  });
});

describe("createSnapshotReader", () => {
  it("drops the series of an observable gauge that a callback no longer observes, unlike a cumulative reader", async () => {
    type Reader = NonNullable<NonNullable<ConstructorParameters<typeof MeterProvider>[0]>["readers"]>[number];
    const observe = (reader: Reader) => {
      const provider = new MeterProvider({ readers: [reader] });
      const meter = provider.getMeter("api");
      const gauge = meter.createObservableGauge("cml_worker_status");
      const workers = { ids: ["w-1", "w-2"] };
      meter.addBatchObservableCallback(
        (result) => {
          for (const id of workers.ids) result.observe(gauge, 1, { worker_id: id });
        },
        [gauge],
      );
      return { provider, workers };
    };
    const snapshot = createSnapshotReader();
    const cumulative = createPrometheusReader();
    const fleets = [observe(snapshot), observe(cumulative)];
    expect(
      await collectPrometheusText(snapshot, { withoutTargetInfo: true, withoutScopeInfo: true }),
    ).toContain('worker_id="w-2"');
    expect(await collectPrometheusText(cumulative)).toContain('worker_id="w-2"');
    for (const fleet of fleets) fleet.workers.ids = ["w-1"];
    const text = await collectPrometheusText(snapshot, { withoutTargetInfo: true, withoutScopeInfo: true });
    expect(text).toContain('cml_worker_status{worker_id="w-1"} 1');
    expect(text).not.toContain('worker_id="w-2"');
    expect(text).not.toContain("target_info");
    expect(await collectPrometheusText(cumulative)).toContain('worker_id="w-2"');
    for (const fleet of fleets) await fleet.provider.shutdown();
  });
});
