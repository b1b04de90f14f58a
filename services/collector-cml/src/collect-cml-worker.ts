import {
  CmlAuthFailed,
  CmlBadResponse,
  CmlBooting,
  type CmlClient,
  CmlClientError,
  type CmlLicenseStatus,
  type CmlTelemetry,
  licenseStatusFromLicensing,
  probeOnlyTelemetry,
  type SystemInformation,
  systemUsageOf,
} from "@cml-telemetry/cml-client";
import type { WorkerReadPolicy } from "./worker-read-policy.ts";

/** What one collection of a worker's controller produced: an observation, or a typed failure. */
export type CmlCollection =
  | { readonly kind: "metrics"; readonly telemetry: CmlTelemetry }
  | {
      readonly kind: "failed";
      /**
       * The failure's stable type (`errorType` of the cml-client error): `CmlUnreachable`, `CmlBooting`,
       * `CmlAuthFailed`, `CmlBadResponse`, `deadline_exceeded`, `response_too_large`, `tls_fingerprint_changed`.
       */
      readonly errorType: string;
      readonly errorMessage: string;
      readonly retryable: boolean;
    };

/** Inputs of {@link collectCmlWorker}. */
export interface CollectCmlWorkerInput {
  readonly workerId: string;
  readonly client: CmlClient;
  readonly policy: WorkerReadPolicy;
  /** False when no CML user is configured: only the unauthenticated probe runs. */
  readonly hasCredentials: boolean;
  /** A refresh reads licensing even when the cached status is fresh. */
  readonly forceLicensing: boolean;
  /** License status of the shared worker state (KV), if any. */
  readonly knownLicenseStatus?: CmlLicenseStatus | null;
}

/** The failure of a collection; the cml-client error's stable `errorType` becomes the telemetry's. */
export function failedCollectionOf(error: unknown): CmlCollection {
  if (error instanceof CmlClientError) {
    return {
      kind: "failed",
      errorType: error.errorType,
      errorMessage: error.message,
      retryable: error.retryable,
    };
  }
  const errorType = error instanceof Error ? error.name : "Error";
  const errorMessage = error instanceof Error ? error.message : String(error);
  return { kind: "failed", errorType, errorMessage, retryable: true };
}

/**
 * Collects one worker's CML telemetry. The unauthenticated `system_information` probe always runs; labs,
 * system stats and (on the licensing cadence) licensing follow only when the controller is ready, a user
 * is configured and authentication is not backed off after rejected credentials. A 502 during the probe
 * or `ready: false` is an observation (`ready: false`); every other failure is a typed `failed` result.
 * The calls of one worker run one after another, so each controller needs a single keep-alive connection
 * (one TLS handshake) instead of one per parallel call; parallelism comes from collecting many workers at once.
 */
export async function collectCmlWorker(input: CollectCmlWorkerInput): Promise<CmlCollection> {
  const { workerId, client, policy } = input;
  const plan = input.hasCredentials
    ? policy.plan(workerId, {
        forceLicensing: input.forceLicensing,
        knownLicenseStatus: input.knownLicenseStatus,
      })
    : undefined;

  let systemInfo: SystemInformation;
  try {
    systemInfo = await client.getSystemInformation();
  } catch (error) {
    if (error instanceof CmlBooting) return { kind: "metrics", telemetry: probeOnlyTelemetry(null) };
    return failedCollectionOf(error);
  }
  if (!systemInfo.ready || plan === undefined) {
    return { kind: "metrics", telemetry: probeOnlyTelemetry(systemInfo, systemInfo.ready) };
  }
  if (!plan.authenticate) {
    return {
      kind: "failed",
      errorType: CmlAuthFailed.name,
      errorMessage: `CML rejected the configured credentials; authentication is paused, next attempt in ${plan.authSkipsLeft + 1} collection(s)`,
      retryable: false,
    };
  }

  try {
    const labs = await client.getLabSummaries();
    const usage = systemUsageOf(await client.getSystemStats());
    policy.recordAuthSuccess(workerId);
    let licenseStatus = plan.cachedLicenseStatus;
    if (plan.includeLicensing) {
      licenseStatus = await readLicenseStatus(client);
      policy.recordLicenseStatus(workerId, licenseStatus);
    }
    return {
      kind: "metrics",
      telemetry: {
        ready: true,
        version: systemInfo.version,
        labsCount: labs.length,
        runningLabsCount: labs.filter((lab) => lab.state === "STARTED").length,
        licenseStatus,
        ...usage,
        systemInfo,
      },
    };
  } catch (error) {
    if (error instanceof CmlAuthFailed) policy.recordAuthFailure(workerId);
    return failedCollectionOf(error);
  }
}

/** Licensing status, or null when the configured user may not read licensing (403). */
async function readLicenseStatus(client: CmlClient): Promise<CmlLicenseStatus | null> {
  try {
    return licenseStatusFromLicensing(await client.getLicensing());
  } catch (error) {
    if (error instanceof CmlBadResponse && error.status === 403) return null;
    throw error;
  }
}
