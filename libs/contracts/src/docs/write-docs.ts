/** Writes docs/asyncapi.yaml and docs/schemas/*.json from the contracts. Run: npm run docs -w libs/contracts */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { repoRoot } from "../testing/repo-root.ts";
import { renderContractDocs } from "./render.ts";

const root = repoRoot();
const version = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
const files = renderContractDocs(version);
rmSync(join(root, "docs", "schemas"), { recursive: true, force: true });
for (const [path, content] of Object.entries(files)) {
  const target = join(root, "docs", path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, content);
}
process.stdout.write(
  `wrote docs/asyncapi.yaml and ${readdirSync(join(root, "docs", "schemas")).length} schemas in docs/schemas\n`,
);
