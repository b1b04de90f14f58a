import { SYSTEM_INFO_MAX_BYTES } from "@cml-telemetry/contracts";
import { describe, expect, it } from "vitest";
import { boundSystemInfo } from "./bound-system-info.ts";

describe("boundSystemInfo", () => {
  it("keeps a body within the limit as it is", () => {
    const body = { version: "2.9.1+build.7", ready: true, oui: "x".repeat(1_000) };
    expect(boundSystemInfo(body)).toBe(body);
    expect(boundSystemInfo(null)).toBeNull();
  });

  it("cuts a larger body down to the top-level fields that fit, marked, within the limit", () => {
    const body = {
      version: "2.9.1+build.7",
      huge: "h".repeat(20_000),
      ready: true,
      notes: "n".repeat(3_000),
    };
    const bounded = boundSystemInfo(body);
    expect(bounded).toEqual({
      version: "2.9.1+build.7",
      ready: true,
      notes: "n".repeat(3_000),
      _truncated: { originalBytes: JSON.stringify(body).length, maxBytes: SYSTEM_INFO_MAX_BYTES },
    });
    expect(Buffer.byteLength(JSON.stringify(bounded))).toBeLessThanOrEqual(SYSTEM_INFO_MAX_BYTES);
  });

  it("counts bytes, not characters", () => {
    const body = { text: "é".repeat(5_000) };
    expect(boundSystemInfo(body, 8_192)).toEqual({
      _truncated: { originalBytes: Buffer.byteLength(JSON.stringify(body)), maxBytes: 8_192 },
    });
  });
});
