export { createCloudEventSchemaValidator, repoRoot, vendorFile } from "./vendor-schemas.ts";
