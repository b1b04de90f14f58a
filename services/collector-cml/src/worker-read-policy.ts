import type { CmlLicenseStatus } from "@cml-telemetry/cml-client";

/** Options of {@link createWorkerReadPolicy}. */
export interface WorkerReadPolicyOptions {
  /** A cached licensing status is re-read once it is this old (default 10 minutes). */
  readonly licensingMaxAgeMs?: number;
  /** Upper bound of collections skipped between authentication attempts after rejections (default 32). */
  readonly maxAuthSkips?: number;
  readonly now?: () => number;
}

/** What one collection of a worker may do. */
export interface ReadPlan {
  /** False while authentication is backed off after rejected credentials: only the probe runs. */
  readonly authenticate: boolean;
  /** Collections still skipped after this one before authentication is tried again. */
  readonly authSkipsLeft: number;
  /** Read `GET /licensing` in this collection (otherwise use `cachedLicenseStatus`). */
  readonly includeLicensing: boolean;
  /** Last licensing status read (null: never read, or the user may not read licensing). */
  readonly cachedLicenseStatus: CmlLicenseStatus | null;
}

/**
 * Per-worker memory of the CML collector: backs off authentication after `CmlAuthFailed` (so bad
 * credentials never cause a login storm or an account lockout) and reads licensing less often than
 * every cycle (it changes over days, and keeps steady-state calls at three per worker).
 */
export interface WorkerReadPolicy {
  /**
   * Plans a collection; consumes one backoff skip when authentication is backed off. `knownLicenseStatus` is the
   * status the shared worker state already holds: a replica that has not read licensing itself starts from it
   * instead of reading at once, so commands spread over N replicas do not multiply licensing reads.
   */
  plan(
    workerId: string,
    options: { forceLicensing: boolean; knownLicenseStatus?: CmlLicenseStatus | null | undefined },
  ): ReadPlan;
  /** Credentials were rejected: the next 1, 2, 4, … (capped) collections skip authentication. Returns the skips. */
  recordAuthFailure(workerId: string): number;
  /** An authenticated read succeeded: the backoff is reset. */
  recordAuthSuccess(workerId: string): void;
  recordLicenseStatus(workerId: string, status: CmlLicenseStatus | null): void;
  /** Drops what is known about a worker (it disappeared or its endpoint changed). */
  forget(workerId: string): void;
  size(): number;
}

interface WorkerMemory {
  authFailures: number;
  authSkipsLeft: number;
  license?: { status: CmlLicenseStatus | null; readAt: number };
}

const DEFAULT_LICENSING_MAX_AGE_MS = 10 * 60 * 1000;
const DEFAULT_MAX_AUTH_SKIPS = 32;

/** Creates the per-worker read policy (in memory, per replica). */
export function createWorkerReadPolicy(options: WorkerReadPolicyOptions = {}): WorkerReadPolicy {
  const licensingMaxAgeMs = options.licensingMaxAgeMs ?? DEFAULT_LICENSING_MAX_AGE_MS;
  const maxAuthSkips = Math.max(1, options.maxAuthSkips ?? DEFAULT_MAX_AUTH_SKIPS);
  const now = options.now ?? Date.now;
  const workers = new Map<string, WorkerMemory>();

  const memoryOf = (workerId: string): WorkerMemory => {
    let memory = workers.get(workerId);
    if (memory === undefined) {
      memory = { authFailures: 0, authSkipsLeft: 0 };
      workers.set(workerId, memory);
    }
    return memory;
  };

  return {
    plan(workerId, { forceLicensing, knownLicenseStatus }) {
      const memory = memoryOf(workerId);
      if (memory.license === undefined && knownLicenseStatus) {
        memory.license = { status: knownLicenseStatus, readAt: now() };
      }
      const backedOff = memory.authSkipsLeft > 0;
      if (backedOff) memory.authSkipsLeft -= 1;
      const license = memory.license;
      const licenseStale = license === undefined || now() - license.readAt >= licensingMaxAgeMs;
      return {
        authenticate: !backedOff,
        authSkipsLeft: memory.authSkipsLeft,
        includeLicensing: !backedOff && (forceLicensing || licenseStale),
        cachedLicenseStatus: license?.status ?? null,
      };
    },
    recordAuthFailure(workerId) {
      const memory = memoryOf(workerId);
      memory.authFailures += 1;
      memory.authSkipsLeft = Math.min(maxAuthSkips, 2 ** Math.min(memory.authFailures - 1, 30));
      return memory.authSkipsLeft;
    },
    recordAuthSuccess(workerId) {
      const memory = memoryOf(workerId);
      memory.authFailures = 0;
      memory.authSkipsLeft = 0;
    },
    recordLicenseStatus(workerId, status) {
      memoryOf(workerId).license = { status, readAt: now() };
    },
    forget(workerId) {
      workers.delete(workerId);
    },
    size: () => workers.size,
  };
}
