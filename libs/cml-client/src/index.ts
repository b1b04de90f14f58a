export { createCmlClient } from "./create-cml-client.ts";
export {
  CmlAuthFailed,
  CmlBadResponse,
  CmlBooting,
  CmlClientError,
  CmlUnreachable,
  type CmlUnreachableReason,
} from "./errors.ts";
export { apiBaseOf } from "./http-transport.ts";
export {
  CML_LICENSE_STATUSES,
  type CmlLicenseStatus,
  licenseStatusFromLicensing,
  mapCmlLicenseStatus,
} from "./license-status.ts";
export {
  type CmlTelemetry,
  probeOnlyTelemetry,
  type ReadCmlTelemetryOptions,
  readCmlTelemetry,
  systemUsageOf,
} from "./read-cml-telemetry.ts";
export {
  authTokenSchema,
  type CmlErrorBody,
  errorBodySchema,
  LAB_STATES,
  type Lab,
  type LabState,
  type LabTiles,
  type Licensing,
  labIdListSchema,
  labSchema,
  labTilesSchema,
  licensingSchema,
  type SystemInformation,
  type SystemStats,
  systemInformationSchema,
  systemStatsSchema,
} from "./schemas.ts";
export type {
  CmlCallHook,
  CmlCallOutcome,
  CmlClient,
  CmlClientOptions,
  CmlEndpoint,
  CmlLabSummary,
} from "./types.ts";
