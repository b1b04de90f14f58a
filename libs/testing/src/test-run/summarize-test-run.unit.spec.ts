import { describe, expect, it } from "vitest";
import { summarizeTestRun } from "./summarize-test-run.ts";
import type { TestReport } from "./test-report.ts";

const report = (label: string, patch: Partial<TestReport> = {}): TestReport => ({
  label,
  passed: 3,
  failed: 0,
  skipped: 0,
  skips: [],
  failures: [],
  ...patch,
});
const folders = [
  { label: "libs/a", hasSpecs: true },
  { label: "libs/b", hasSpecs: true },
  { label: "libs/no-tests", hasSpecs: false },
];

describe("summarizeTestRun", () => {
  it("passes when every folder with spec files ran tests and nothing failed, ending with the summary line", () => {
    const summary = summarizeTestRun({
      folders,
      reports: [report("libs/a"), report("libs/b")],
      failedSteps: [],
    });
    expect(summary.ok).toBe(true);
    expect(summary.lines.at(-1)).toBe("6 passed, 0 failed, 0 skipped");
  });

  it("sums every report, and lists each skip with its reason and each failure by name", () => {
    const summary = summarizeTestRun({
      folders,
      reports: [
        report("libs/a", {
          failed: 1,
          skipped: 5,
          skips: [
            { name: "libs/a/src/x.int.spec.ts › MongoDB store", tests: 5, reason: "MONGODB_URI is not set" },
          ],
          failures: ["libs/a/src/y.unit.spec.ts › adds: expected 2 to be 3"],
        }),
        report("libs/b", { passed: 7 }),
      ],
      failedSteps: [],
    });
    expect(summary.ok).toBe(false);
    expect(summary.lines).toContain(
      "  ↓ libs/a/src/x.int.spec.ts › MongoDB store (5 tests): MONGODB_URI is not set",
    );
    expect(summary.lines).toContain("  ✗ libs/a/src/y.unit.spec.ts › adds: expected 2 to be 3");
    expect(summary.lines.at(-1)).toBe("10 passed, 1 failed, 5 skipped");
  });

  it("fails a folder with spec files that ran no test or wrote no report", () => {
    const summary = summarizeTestRun({
      folders,
      reports: [report("libs/a", { passed: 0, skipped: 2, skips: [{ name: "s", tests: 2, reason: "r" }] })],
      failedSteps: [],
    });
    expect(summary.ok).toBe(false);
    expect(summary.lines).toContain("✗ libs/a has spec files but ran no test");
    expect(summary.lines).toContain(
      "✗ libs/b has spec files but wrote no test report (its tests did not finish)",
    );
    expect(summary.lines.at(-1)).toBe("0 passed, 0 failed, 2 skipped");
  });

  it("fails a skip without a reason", () => {
    const summary = summarizeTestRun({
      folders,
      reports: [
        report("libs/a", { skipped: 1, skips: [{ name: "libs/a › t", tests: 1, reason: undefined }] }),
        report("libs/b"),
      ],
      failedSteps: [],
    });
    expect(summary.ok).toBe(false);
    expect(summary.lines).toContain("  ↓ libs/a › t (1 test): NO REASON GIVEN");
    expect(summary.lines).toContain("✗ libs/a › t was skipped without a reason");
  });

  it("names the failed steps and still ends with the exact summary line when lint or typecheck failed", () => {
    const summary = summarizeTestRun({
      folders,
      reports: [report("libs/a"), report("libs/b")],
      failedSteps: ["lint (biome)", "typecheck"],
    });
    expect(summary.ok).toBe(false);
    expect(summary.lines).toContain("✗ failed steps: lint (biome), typecheck");
    expect(summary.lines.at(-1)).toBe("6 passed, 0 failed, 0 skipped");
  });
});
