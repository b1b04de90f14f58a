import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { SummaryReporter } from "@cml-telemetry/testing/test-run";
import { defineConfig } from "vitest/config";

const resultsDir = process.env.CML_TEST_RESULTS_DIR;
const repoRoot = dirname(fileURLToPath(import.meta.url));

/** Shared test settings for every workspace package: tiers by file name, generous timeouts for real servers. */
export const sharedTestConfig = defineConfig({
  test: {
    include: ["src/**/*.spec.ts", "test/**/*.spec.ts", "e2e/**/*.spec.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // With npm test, each package also writes its counts, skips (with reasons) and failures for the test script.
    reporters: resultsDir ? ["default", new SummaryReporter({ dir: resultsDir, repoRoot })] : ["default"],
  },
});
