import { describe, expect, it } from "vitest";
import { isReadyLine } from "./system-env.ts";

describe("isReadyLine", () => {
  it("recognises the ready log line of a service", () => {
    expect(isReadyLine('{"level":"info","service":"api","msg":"api ready"}')).toBe(true);
    expect(isReadyLine('{"level":"info","msg":"ready","service":"collector-cml"}')).toBe(true);
    expect(isReadyLine('{"level":"info","msg":"worker cache synced"}')).toBe(false);
    expect(isReadyLine('{"level":"info","msg":"not ready yet"}')).toBe(false);
  });
});
