import { execSync } from "node:child_process";
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

/**
 * The Chromium binary, installed with apt when missing (tests run as root here); otherwise the reason it cannot
 * be had, for a single printed skip line.
 */
export function ensureChromium(): { path: string } | { reason: string } {
  if (existsSync(CHROMIUM_PATH)) return { path: CHROMIUM_PATH };
  try {
    execSync("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium", {
      stdio: "ignore",
      timeout: 600_000,
    });
  } catch (error) {
    return { reason: `apt-get install chromium failed: ${(error as Error).message.split("\n")[0]}` };
  }
  return existsSync(CHROMIUM_PATH)
    ? { path: CHROMIUM_PATH }
    : { reason: `${CHROMIUM_PATH} is still missing after apt-get install chromium` };
}
