import { existsSync } from "node:fs";

/** Debian's Chromium, driven by playwright-core (no browser download). */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** Flags for a quiet, headless, offline Chromium in a container. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Debian's Chromium for a browser suite: its path, or why there is none and whether the suite is skipped for it. */
export interface ChromiumBinary {
  readonly path: string | undefined;
  /** Why there is no Chromium. */
  readonly missing: string | undefined;
  /** Set when the suite is skipped: Chromium is missing and this is not a CI run. */
  readonly skipReason: string | undefined;
}

/**
 * Finds Chromium (`npm test` installs Debian's package first when it runs as root). Without it a browser suite is
 * skipped with the reason, except with `CI=true`: there the suite runs and fails ({@link requireChromium}), since a
 * CI run must not pass without its browser tests.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): ChromiumBinary {
  if (existsSync(CHROMIUM_PATH)) return { path: CHROMIUM_PATH, missing: undefined, skipReason: undefined };
  const missing = `no Chromium at ${CHROMIUM_PATH} (npm test installs Debian's chromium with apt-get when run as root)`;
  return { path: undefined, missing, skipReason: env.CI === "true" ? undefined : missing };
}

/** Chromium's path for a browser suite's set-up; throws, failing the suite, when there is none (CI=true). */
export function requireChromium(binary: ChromiumBinary): string {
  if (binary.path === undefined)
    throw new Error(`the browser tests need Chromium with CI=true: ${binary.missing}`);
  return binary.path;
}
