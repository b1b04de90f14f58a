import { defineConfig, mergeConfig } from "vitest/config";
import { sharedTestConfig } from "../vitest.shared.ts";

/** Unit tests of the benchmarks' own logic (argument parsing, statistics, the generated sizing page); run from bench/. */
export default mergeConfig(
  sharedTestConfig,
  defineConfig({
    test: {
      include: ["**/*.unit.spec.ts"],
    },
  }),
);
