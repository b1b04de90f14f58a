import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { Ajv2020, type ErrorObject } from "ajv/dist/2020.js";
import addFormatsPlugin from "ajv-formats";

/** The variable naming Cisco's CML 2.9 OpenAPI document (which stays outside the repository, never copied in). */
export const CML_OPENAPI_FILE_ENV = "CML_OPENAPI_FILE";

/** The conventional place of the document: `../shared/reference/vendor/` beside the repository. */
const BESIDE_THE_REPOSITORY = fileURLToPath(
  new URL("../../../../../shared/reference/vendor/cml_v2.9_openapi.json", import.meta.url),
);

/**
 * Where Cisco's CML 2.9 OpenAPI document is: `CML_OPENAPI_FILE` (which must then exist), else
 * `../shared/reference/vendor/cml_v2.9_openapi.json` beside the repository when it exists; otherwise the reason the
 * conformance checks are skipped.
 */
export function locateCmlOpenApi(
  env: NodeJS.ProcessEnv = process.env,
): { path: string } | { skipReason: string } {
  const explicit = env[CML_OPENAPI_FILE_ENV];
  if (explicit) return { path: explicit };
  if (existsSync(BESIDE_THE_REPOSITORY)) return { path: BESIDE_THE_REPOSITORY };
  return {
    skipReason: `${CML_OPENAPI_FILE_ENV} is not set (and no ../shared/reference/vendor/cml_v2.9_openapi.json beside the repository): set it to Cisco's CML 2.9 OpenAPI document to run these checks`,
  };
}

const LIVE_LICENSING_TIMESTAMP = "^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}$";
const LICENSING_SCHEMAS = ["LicensingTimeInfo", "Registration", "Authorization", "LicensingFeature"];

type Json = { [key: string]: unknown };

/** Validates a value against `#/components/schemas/<name>` (or an inline schema); returns ajv errors. */
export type CmlSchemaCheck = (schema: string | Json, value: unknown) => ErrorObject[];

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Replaces every `format: date-time` under `node` by "date-time or the live `YYYY-MM-DD HH:MM:SS` form". */
function acceptLiveTimestamps(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) acceptLiveTimestamps(item);
    return;
  }
  if (!isObject(node)) return;
  for (const value of Object.values(node)) acceptLiveTimestamps(value);
  if (node.format === "date-time") {
    delete node.format;
    node.anyOf = [{ format: "date-time" }, { pattern: LIVE_LICENSING_TIMESTAMP }];
  }
}

/**
 * Builds a validator from the vendor document. With `deviations`, exactly the two documented deviations
 * are applied: licensing timestamps in the live form, and `cpu.hyperthreading` (added in 2.9.1).
 */
export async function loadCmlSchemaCheck(
  documentPath: string,
  options: { deviations: boolean },
): Promise<CmlSchemaCheck> {
  const document = JSON.parse(await readFile(documentPath, "utf8")) as Json;
  const schemas = (document.components as Json).schemas as Json;
  if (options.deviations) {
    for (const name of LICENSING_SCHEMAS) acceptLiveTimestamps(schemas[name]);
    const cpu = schemas.CpuHealthStats as Json;
    (cpu.properties as Json).hyperthreading = { type: "boolean" };
  }
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormatsPlugin.default(ajv);
  ajv.addSchema({ $id: "cml-openapi", components: document.components }, "cml-openapi");
  const cache = new Map<string, ReturnType<typeof ajv.compile>>();
  return (schema, value) => {
    const key = typeof schema === "string" ? schema : JSON.stringify(schema);
    let validate = cache.get(key);
    if (!validate) {
      validate = ajv.compile(
        typeof schema === "string" ? { $ref: `cml-openapi#/components/schemas/${schema}` } : schema,
      );
      cache.set(key, validate);
    }
    return validate(value) ? [] : [...(validate.errors ?? [])];
  };
}

/** The JSON schema of a path's 200 response (inline schemas such as `/labs` and `/authenticate`). */
export async function responseSchemaOf(
  documentPath: string,
  path: string,
  method: "get" | "post",
): Promise<Json> {
  const document = JSON.parse(await readFile(documentPath, "utf8")) as Json;
  const operation = ((document.paths as Json)[path] as Json)[method] as Json;
  const content = ((operation.responses as Json)["200"] as Json).content as Json;
  return (content["application/json"] as Json).schema as Json;
}
