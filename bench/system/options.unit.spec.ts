import { describe, expect, it } from "vitest";
import { DEFAULT_SYSTEM_BENCH_OPTIONS, parseSystemBenchArgs, SystemBenchUsageError } from "./options.ts";

describe("parseSystemBenchArgs", () => {
  it("runs 1,000 then 5,000 workers for 3 cycles of 60 s by default", () => {
    expect(parseSystemBenchArgs([])).toEqual(DEFAULT_SYSTEM_BENCH_OPTIONS);
    expect(DEFAULT_SYSTEM_BENCH_OPTIONS).toMatchObject({
      workers: [1_000, 5_000],
      cycles: 3,
      intervalSeconds: 60,
    });
  });

  it("reads sizes (listed or repeated, smallest first) and the other options in both forms", () => {
    expect(
      parseSystemBenchArgs([
        "--workers",
        "10000",
        "--workers=2000,500",
        "--cycles",
        "1",
        "--interval=30",
        "--profile",
        "/tmp/p",
      ]),
    ).toMatchObject({ workers: [500, 2_000, 10_000], cycles: 1, intervalSeconds: 30, profileDir: "/tmp/p" });
  });

  it("refuses unknown options and bad values, naming them", () => {
    expect(() => parseSystemBenchArgs(["--wokers", "10"])).toThrow(/unknown option --wokers/);
    expect(() => parseSystemBenchArgs(["--cycles", "0"])).toThrow(SystemBenchUsageError);
    expect(() => parseSystemBenchArgs(["--workers", "many"])).toThrow(/--workers needs an integer/);
    expect(() => parseSystemBenchArgs(["--profile"])).toThrow(/--profile needs a directory/);
  });
});
