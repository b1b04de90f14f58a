export { summarizeTestRun, type TestFolder, type TestRunSummary } from "./summarize-test-run.ts";
export { SummaryReporter } from "./summary-reporter.ts";
export type { TestReport } from "./test-report.ts";
