import { stringify } from "yaml";
import { buildAsyncApiDocument } from "./asyncapi.ts";
import { renderEventCatalogue } from "./event-catalogue.ts";
import { allJsonSchemas } from "./json-schemas.ts";

/** Every generated doc file, path relative to the repository's `docs/` → content. */
export function renderContractDocs(version: string): Record<string, string> {
  const files: Record<string, string> = {
    "asyncapi.yaml": stringify(buildAsyncApiDocument(version), {
      lineWidth: 0,
      aliasDuplicateObjects: false,
    }),
    "events.md": renderEventCatalogue(),
  };
  for (const [name, schema] of Object.entries(allJsonSchemas())) {
    files[`schemas/${name}`] = `${JSON.stringify(schema, null, 2)}\n`;
  }
  return files;
}
