import { writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { SerializedError } from "vitest";
import type { Reporter, TestCase, TestModule, TestSuite } from "vitest/node";
import type { TestReport } from "./test-report.ts";

type Parent = TestSuite | TestModule;

/** The first line of each error of a suite, file or run. */
function firstLines(errors: ReadonlyArray<{ message?: string }>): string {
  return errors.map((error) => (error.message ?? "error").split("\n")[0]).join("; ");
}

/** The reason `describeOrSkip` gave a skipped suite (kept in the suite's meta). */
function skipReasonOf(parent: Parent): string | undefined {
  return (parent.meta() as { skipReason?: string }).skipReason;
}

/** The ancestors of a test, nearest first. */
function ancestors(test: TestCase): Parent[] {
  const chain: Parent[] = [];
  for (
    let parent: Parent | undefined = test.parent;
    parent;
    parent = parent.type === "suite" ? parent.parent : undefined
  )
    chain.push(parent);
  return chain;
}

/**
 * Vitest reporter for `npm test`: counts passed, failed and skipped tests of one run, names every skipped suite or
 * test with its reason (`describeOrSkip`'s reason, or the note of `context.skip(note)`), and every failure, and
 * writes them to `<dir>/<label>.json` for the test script to sum up. Tests that did not run because a hook of their
 * suite failed count as failed, a file that could not be loaded as one failure, an error outside any test as one.
 */
export class SummaryReporter implements Reporter {
  readonly #dir: string;
  readonly #repoRoot: string;

  constructor(options: { dir: string; repoRoot: string }) {
    this.#dir = options.dir;
    this.#repoRoot = options.repoRoot;
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): void {
    const label = relative(this.#repoRoot, process.cwd()).replaceAll("\\", "/") || "e2e";
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const skips = new Map<string, { name: string; tests: number; reason: string | undefined }>();
    const failures: string[] = [];
    for (const module of modules) {
      const file = relative(this.#repoRoot, module.moduleId);
      const moduleErrors = module.errors();
      if (moduleErrors.length > 0) failures.push(`${file}: ${firstLines(moduleErrors)}`);
      if (moduleErrors.length > 0 && [...module.children.allTests()].length === 0) failed += 1;
      for (const suite of module.children.allSuites()) {
        const errors = suite.errors();
        if (errors.length > 0) failures.push(`${file} › ${suite.fullName}: ${firstLines(errors)}`);
      }
      for (const test of module.children.allTests()) {
        const result = test.result();
        if (result.state === "passed") passed += 1;
        else if (result.state === "failed") {
          failed += 1;
          failures.push(`${file} › ${test.fullName}: ${firstLines(result.errors)}`);
        } else if (result.state === "skipped") {
          const chain = ancestors(test);
          if (chain.some((parent) => parent.errors().length > 0)) {
            failed += 1; // did not run: a hook of its suite (or its file) failed, named above
            continue;
          }
          skipped += 1;
          // The outermost suite skipped with a reason (its inner suites inherit the reason).
          const suite = chain.findLast((parent) => skipReasonOf(parent) !== undefined);
          const key = suite
            ? `${file} › ${suite.type === "suite" ? suite.fullName : ""}`
            : `${file} › ${test.fullName}`;
          const entry = skips.get(key) ?? {
            name: key,
            tests: 0,
            reason: (suite && skipReasonOf(suite)) ?? result.note,
          };
          entry.tests += 1;
          skips.set(key, entry);
        }
      }
    }
    for (const error of unhandledErrors) {
      failed += 1;
      failures.push(`error outside any test: ${firstLines([error])}`);
    }
    const report: TestReport = { label, passed, failed, skipped, skips: [...skips.values()], failures };
    writeFileSync(
      join(this.#dir, `${label.replaceAll("/", "__")}.json`),
      `${JSON.stringify(report, null, 2)}\n`,
    );
  }
}
