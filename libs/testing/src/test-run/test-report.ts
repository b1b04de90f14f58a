/** What each vitest run writes for `npm test` (one file per package, in `CML_TEST_RESULTS_DIR`). */
export interface TestReport {
  /** The package folder relative to the repository (`libs/messaging`), or `e2e` for the root end-to-end tests. */
  readonly label: string;
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  /** Every skipped suite (as a whole) or test, with the reason it gave (undefined: it gave none). */
  readonly skips: ReadonlyArray<{
    readonly name: string;
    readonly tests: number;
    readonly reason: string | undefined;
  }>;
  /** What failed: tests, suites whose hooks failed, files that could not run, errors outside any test. */
  readonly failures: readonly string[];
}
