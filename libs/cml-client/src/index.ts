export {
  type CmlCertificatePin,
  type CmlPinVerdict,
  fixedFingerprintPin,
  normalizeFingerprint,
  type TofuPinStore,
  tofuPin,
} from "./certificate-pin.ts";
export { createCmlClient } from "./create-cml-client.ts";
export {
  CmlAuthFailed,
  CmlBadResponse,
  CmlBooting,
  CmlClientError,
  CmlDeadlineExceeded,
  CmlResponseTooLarge,
  CmlTlsFingerprintChanged,
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
  type Licensing,
  labIdListSchema,
  labSchema,
  labStateSchema,
  labTilesEnvelopeSchema,
  labTileWithStateSchema,
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
  CmlLabPathHook,
  CmlLabReadPath,
  CmlLabSummary,
} from "./types.ts";
