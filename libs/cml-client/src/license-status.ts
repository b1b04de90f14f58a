import type { Licensing } from "./schemas.ts";

/** The product's license states; CML's free-form licensing strings are mapped onto these. */
export const CML_LICENSE_STATUSES = [
  "UNREGISTERED",
  "REGISTERED",
  "EVALUATION",
  "EXPIRED",
  "INVALID",
] as const;
export type CmlLicenseStatus = (typeof CML_LICENSE_STATUSES)[number];

/** Upper-case, runs of non-alphanumerics collapsed to `_`: "out-of-compliance" → "OUT_OF_COMPLIANCE". */
function normalize(value: string | null | undefined): string {
  return (value ?? "")
    .trim()
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, "_")
    .replace(/^_|_$/g, "");
}

const INVALID_AUTHORIZATION = new Set([
  "OUT_OF_COMPLIANCE",
  "NOT_AUTHORIZED",
  "UNAUTHORIZED",
  "AUTHORIZATION_FAILED",
  "FAILED",
  "INVALID",
  "INVALID_TAG",
  "DISABLED",
  "OVERAGE",
]);
const AUTHORIZED = new Set(["IN_COMPLIANCE", "AUTHORIZED", "COMPLIANCE", "AUTHORIZED_RESERVED"]);
const REGISTERED = new Set(["COMPLETED", "REGISTERED", "SUCCESS", "SUCCEEDED", "RESERVED"]);

const isExpired = (status: string): boolean => status.split("_").includes("EXPIRED");
const isEvaluation = (status: string): boolean =>
  status.split("_").some((word) => word === "EVAL" || word === "EVALUATION");

/**
 * Maps CML's registration and authorization status strings onto {@link CmlLicenseStatus}.
 * Matching ignores case and separators (`out-of-compliance` ≡ `OUT_OF_COMPLIANCE`). First rule wins:
 *
 * 1. either status contains the word `EXPIRED` (`EXPIRED`, `EVAL_EXPIRED`, `AUTHORIZATION_EXPIRED`, …) → `EXPIRED`
 * 2. authorization is `OUT_OF_COMPLIANCE`, `NOT_AUTHORIZED`, `UNAUTHORIZED`, `AUTHORIZATION_FAILED`,
 *    `FAILED`, `INVALID`, `INVALID_TAG`, `DISABLED` or `OVERAGE` → `INVALID`
 * 3. either status contains the word `EVAL` or `EVALUATION` → `EVALUATION`
 * 4. registration is `COMPLETED`, `REGISTERED`, `SUCCESS`, `SUCCEEDED` or `RESERVED`, or authorization is
 *    `IN_COMPLIANCE`, `AUTHORIZED`, `COMPLIANCE` or `AUTHORIZED_RESERVED` → `REGISTERED`
 *    (transient authorization states such as `INIT` or `WAITING` do not override a completed registration)
 * 5. anything else — `UNREGISTERED`, `NOT_REGISTERED`, `IN_PROGRESS`, `FAILED` registration, missing, empty
 *    or unknown strings → `UNREGISTERED`: the safe value, which never claims a license that was not seen.
 */
export function mapCmlLicenseStatus(
  registrationStatus: string | null | undefined,
  authorizationStatus: string | null | undefined,
): CmlLicenseStatus {
  const registration = normalize(registrationStatus);
  const authorization = normalize(authorizationStatus);
  if (isExpired(registration) || isExpired(authorization)) return "EXPIRED";
  if (INVALID_AUTHORIZATION.has(authorization)) return "INVALID";
  if (isEvaluation(registration) || isEvaluation(authorization)) return "EVALUATION";
  if (REGISTERED.has(registration) || AUTHORIZED.has(authorization)) return "REGISTERED";
  return "UNREGISTERED";
}

/** {@link mapCmlLicenseStatus} applied to a `GET /licensing` body. */
export function licenseStatusFromLicensing(licensing: Licensing): CmlLicenseStatus {
  return mapCmlLicenseStatus(licensing.registration?.status, licensing.authorization?.status);
}
