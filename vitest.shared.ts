import { basename } from "node:path";
import { defineConfig } from "vitest/config";

const resultsDir = process.env.CML_TEST_RESULTS_DIR;

/** Shared test settings for every workspace package: tiers by file name, generous timeouts for real servers. */
export const sharedTestConfig = defineConfig({
  test: {
    include: ["src/**/*.spec.ts", "test/**/*.spec.ts", "e2e/**/*.spec.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // With npm test, each package also writes a JSON report that the test script sums into one line.
    reporters: resultsDir ? ["default", "json"] : ["default"],
    ...(resultsDir ? { outputFile: { json: `${resultsDir}/${basename(process.cwd())}.json` } } : {}),
  },
});
