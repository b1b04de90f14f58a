import type { TestReport } from "./test-report.ts";

/** A folder whose tests `npm test` runs (a workspace, or `e2e` at the root), and whether it holds spec files. */
export interface TestFolder {
  readonly label: string;
  readonly hasSpecs: boolean;
}

/** What `npm test` prints at the end, and whether the run passed. */
export interface TestRunSummary {
  /** Skips, failures and problems; the last line is always `N passed, M failed, K skipped`. */
  readonly lines: readonly string[];
  readonly ok: boolean;
}

/**
 * Sums the reports of one `npm test` run. The run fails when a step failed, a test failed, a folder with spec files
 * wrote no report or ran no test, or something was skipped without a reason. Every skipped suite or test is listed
 * with its reason, every failure by name.
 */
export function summarizeTestRun(input: {
  readonly folders: readonly TestFolder[];
  readonly reports: readonly TestReport[];
  readonly failedSteps: readonly string[];
}): TestRunSummary {
  const { folders, reports, failedSteps } = input;
  const lines: string[] = [];
  const problems: string[] = [];
  for (const folder of folders.filter((candidate) => candidate.hasSpecs)) {
    const report = reports.find((candidate) => candidate.label === folder.label);
    if (!report)
      problems.push(`${folder.label} has spec files but wrote no test report (its tests did not finish)`);
    else if (report.passed + report.failed === 0)
      problems.push(`${folder.label} has spec files but ran no test`);
  }
  const skips = reports.flatMap((report) => report.skips);
  if (skips.length > 0) lines.push("", "Skipped:");
  for (const skip of skips) {
    const count = skip.tests === 1 ? "1 test" : `${skip.tests} tests`;
    lines.push(`  ↓ ${skip.name} (${count}): ${skip.reason ?? "NO REASON GIVEN"}`);
    if (skip.reason === undefined) problems.push(`${skip.name} was skipped without a reason`);
  }
  const failures = reports.flatMap((report) => report.failures);
  if (failures.length > 0) lines.push("", "Failed:", ...failures.map((failure) => `  ✗ ${failure}`));
  if (problems.length > 0 || failedSteps.length > 0) lines.push("");
  for (const problem of problems) lines.push(`✗ ${problem}`);
  if (failedSteps.length > 0) lines.push(`✗ failed steps: ${failedSteps.join(", ")}`);
  const sum = (key: "passed" | "failed" | "skipped") =>
    reports.reduce((total, report) => total + report[key], 0);
  lines.push("", `${sum("passed")} passed, ${sum("failed")} failed, ${sum("skipped")} skipped`);
  return { lines, ok: failedSteps.length === 0 && problems.length === 0 && sum("failed") === 0 };
}
