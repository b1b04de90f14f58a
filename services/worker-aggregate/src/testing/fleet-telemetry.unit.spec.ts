import { describe, expect, it } from "vitest";
import { fleetTelemetryRound, interleavedFleetTelemetryRound } from "./fleet-telemetry.ts";

const key = (message: { subject: string; event: { type: string } }) =>
  `${message.subject} ${message.event.type}`;

describe("interleavedFleetTelemetryRound", () => {
  it("brings the same observations as a plain round, each once", () => {
    const interleaved = [...interleavedFleetTelemetryRound(1_000, 2)];
    expect(interleaved.map(key).sort()).toEqual(fleetTelemetryRound(1_000, 2).map(key).sort());
    expect([...interleavedFleetTelemetryRound(10, 0)].map(key)).toEqual(fleetTelemetryRound(10, 0).map(key));
  });

  it("puts about one observation per worker in a batch of 256, where a plain round puts three", () => {
    const perBatch = (messages: Array<{ event: { subject?: string } }>) => {
      let workers = 0;
      for (let start = 0; start < messages.length; start += 256) {
        workers += new Set(messages.slice(start, start + 256).map((message) => message.event.subject)).size;
      }
      return messages.length / workers;
    };
    expect(perBatch([...interleavedFleetTelemetryRound(10_000, 1)])).toBeLessThan(1.05);
    expect(perBatch(fleetTelemetryRound(10_000, 1))).toBeGreaterThan(2.9);
  });
});
