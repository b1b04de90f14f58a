import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { renderConfigDoc } from "./render-config-table.ts";

/** Path of the generated configuration reference, relative to this file. */
export const CONFIG_DOC_PATH = resolve(
  dirname(fileURLToPath(import.meta.url)),
  "../../../docs/operations/configuration.md",
);

if (import.meta.main) {
  mkdirSync(dirname(CONFIG_DOC_PATH), { recursive: true });
  writeFileSync(CONFIG_DOC_PATH, renderConfigDoc());
  process.stdout.write(`wrote ${CONFIG_DOC_PATH}\n`);
}
