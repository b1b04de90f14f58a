import { defineConfig } from "vitest/config";

/** Shared test settings for every workspace package: tiers by file name, generous timeouts for real servers. */
export const sharedTestConfig = defineConfig({
  test: {
    include: ["src/**/*.spec.ts", "test/**/*.spec.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    reporters: process.env.CI ? ["default"] : ["default"],
  },
});
