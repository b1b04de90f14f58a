import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** True when the module at `moduleUrl` is the script node was started with. */
export function isMain(moduleUrl: string): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}

/** Prints a benchmark's result as its last line: one JSON object. */
export function printResult(result: Record<string, unknown> & { bench: string }): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
