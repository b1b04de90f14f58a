import { defineConfig, mergeConfig } from "vitest/config";
import { sharedTestConfig } from "../vitest.shared.ts";

/**
 * End-to-end tests: the services run as separate processes. Two files run at a time: each spends most of its time
 * waiting for collection cycles, so two systems share a 2-core machine without starving each other.
 */
export default mergeConfig(
  sharedTestConfig,
  defineConfig({
    test: {
      include: ["e2e/**/*.e2e.spec.ts"],
      testTimeout: 120_000,
      hookTimeout: 120_000,
      fileParallelism: true,
      maxWorkers: 2,
    },
  }),
);
