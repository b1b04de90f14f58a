import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";

/** The repository root (the folder holding the root package.json's `workspaces`). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && readFileSync(manifest, "utf8").includes('"workspaces"')) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error("repository root not found");
    dir = parent;
  }
}

/** Path of a vendored reference file, read from `../shared/reference/vendor` beside the repository. */
export function vendorFile(name: string): string {
  const candidates = [
    process.env.CML_VENDOR_DIR ? join(process.env.CML_VENDOR_DIR, name) : "",
    resolve(repoRoot(), "..", "shared", "reference", "vendor", name),
  ].filter((path) => path !== "");
  const found = candidates.find((path) => existsSync(path));
  if (!found) {
    throw new Error(
      `vendored schema ${name} not found (looked in ${candidates.join(", ")}); set CML_VENDOR_DIR to the folder holding it`,
    );
  }
  return found;
}

/** A validator for the official CloudEvents 1.0 JSON schema; returns the error text or undefined. */
export function createCloudEventSchemaValidator(): (event: unknown) => string | undefined {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  const schema = JSON.parse(readFileSync(vendorFile("cloudevents.json"), "utf8")) as Record<string, unknown>;
  delete schema.$schema;
  const validate = ajv.compile(schema);
  return (event) => (validate(event) ? undefined : ajv.errorsText(validate.errors));
}
