export { createCloudEventSchemaValidator } from "./cloud-event-schema.ts";
export { repoRoot } from "./repo-root.ts";
