import { defineConfig, mergeConfig } from "vitest/config";
import { sharedTestConfig } from "../vitest.shared.ts";

/** End-to-end tests: the services run as separate processes; files run one at a time (2-core machines). */
export default mergeConfig(
  sharedTestConfig,
  defineConfig({
    test: {
      include: ["e2e/**/*.e2e.spec.ts"],
      testTimeout: 120_000,
      hookTimeout: 120_000,
      fileParallelism: false,
    },
  }),
);
