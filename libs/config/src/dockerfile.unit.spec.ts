import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { SERVICE_NAMES } from "./service-schemas.ts";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const dockerfile = readFileSync(resolve(REPO_ROOT, "Dockerfile"), "utf8");
const dockerignore = readFileSync(resolve(REPO_ROOT, ".dockerignore"), "utf8")
  .split("\n")
  .map((line) => line.trim())
  .filter((line) => line.length > 0 && !line.startsWith("#"));

describe("Dockerfile", () => {
  it("builds on node:24-slim with production dependencies only", () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24-slim$/m);
    expect(dockerfile).toMatch(/RUN npm ci --omit=dev/);
    expect(dockerfile).toMatch(/^COPY package\.json package-lock\.json \.\/$/m);
  });

  it("runs as the non-root node user with a health check, selecting the service by SERVICE", () => {
    const runtime = dockerfile.slice(dockerfile.lastIndexOf("FROM "));
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^HEALTHCHECK .*\\\n\s+CMD \["node", "libs\/config\/src\/healthcheck\.ts"\]$/m);
    expect(runtime).toContain('exec node \\"services/${SERVICE:?');
    expect(runtime).toMatch(/^ARG SERVICE=""$/m);
  });

  it("starts files that exist for every service", () => {
    expect(existsSync(resolve(REPO_ROOT, "libs/config/src/healthcheck.ts"))).toBe(true);
    for (const name of SERVICE_NAMES)
      expect(existsSync(resolve(REPO_ROOT, "services", name, "package.json")), name).toBe(true);
  });

  it(".dockerignore keeps the sources and manifests the image copies", () => {
    for (const needed of [
      "libs",
      "services",
      "package.json",
      "package-lock.json",
      "libs/*/package.json",
      "services/*/src",
    ]) {
      expect(dockerignore, needed).not.toContain(needed);
    }
    expect(dockerignore).toEqual(expect.arrayContaining(["**/node_modules", ".git", ".data"]));
  });
});
