/** Why a CML controller could not be reached at the transport level. */
export type CmlUnreachableReason =
  | "refused"
  | "connect-timeout"
  | "read-timeout"
  | "connection-closed"
  | "tls"
  | "dns"
  | "network";

/** Base class of every failure raised by the CML client; consumers decide by subclass or `retryable`. */
export abstract class CmlClientError extends Error {
  /** Stable machine-readable code, e.g. `CML_UNREACHABLE`. */
  abstract readonly code: string;
  /**
   * The failure's stable type in telemetry (`errorType` of `cml.failed`, the worker's `last_error.type`): the class
   * name for the first four kinds, snake_case for the later ones (`deadline_exceeded`, …).
   */
  abstract readonly errorType: string;
  /** True when the same call may succeed later without any change of configuration. */
  abstract readonly retryable: boolean;
  /** The API path that failed (without `/api/v0`), e.g. `system_stats`. */
  readonly endpoint: string;

  constructor(message: string, endpoint: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.endpoint = endpoint;
  }
}

/** The controller could not be reached: connection refused or reset, timeouts, DNS or TLS failures. */
export class CmlUnreachable extends CmlClientError {
  readonly code = "CML_UNREACHABLE";
  readonly errorType = "CmlUnreachable";
  readonly retryable = true;
  readonly reason: CmlUnreachableReason;

  constructor(
    message: string,
    endpoint: string,
    reason: CmlUnreachableReason,
    options?: { cause?: unknown },
  ) {
    super(message, endpoint, options);
    this.reason = reason;
  }
}

/** The controller's reverse proxy answered 502/503: CML is starting (a `ready: false` body is data, not this). */
export class CmlBooting extends CmlClientError {
  readonly code = "CML_BOOTING";
  readonly errorType = "CmlBooting";
  readonly retryable = true;
  readonly status: number;

  constructor(message: string, endpoint: string, status: number, options?: { cause?: unknown }) {
    super(message, endpoint, options);
    this.status = status;
  }
}

/** Credentials were refused (403 on authenticate) or a fresh token was still rejected (persistent 401). */
export class CmlAuthFailed extends CmlClientError {
  readonly code = "CML_AUTH_FAILED";
  readonly errorType = "CmlAuthFailed";
  readonly retryable = false;
  readonly status: number;

  constructor(message: string, endpoint: string, status: number, options?: { cause?: unknown }) {
    super(message, endpoint, options);
    this.status = status;
  }
}

/** An unexpected HTTP status, malformed JSON, or a body that does not match the expected schema. */
export class CmlBadResponse extends CmlClientError {
  readonly code = "CML_BAD_RESPONSE";
  readonly errorType = "CmlBadResponse";
  readonly retryable: boolean;
  /** HTTP status of the response (a 2xx status means the body was the problem). */
  readonly status: number;

  constructor(message: string, endpoint: string, status: number, options?: { cause?: unknown }) {
    super(message, endpoint, options);
    this.status = status;
    this.retryable = status === 429 || status === 500 || status === 504;
  }
}

/**
 * A call did not finish within its overall deadline (connect, headers and the whole body; the message names it):
 * a controller that trickles its answer never trips an idle timer, so every call also has this one.
 */
export class CmlDeadlineExceeded extends CmlClientError {
  readonly code = "CML_DEADLINE_EXCEEDED";
  readonly errorType = "deadline_exceeded";
  readonly retryable = true;
}

/** An answer was larger than the client reads (`maxResponseBytes`, named in the message); reading stopped there. */
export class CmlResponseTooLarge extends CmlClientError {
  readonly code = "CML_RESPONSE_TOO_LARGE";
  readonly errorType = "response_too_large";
  readonly retryable = false;
}

/**
 * The controller presented a certificate whose SHA-256 fingerprint is not the pinned one (a re-installed
 * controller, or someone in between): nothing was sent over that connection.
 */
export class CmlTlsFingerprintChanged extends CmlClientError {
  readonly code = "CML_TLS_FINGERPRINT_CHANGED";
  readonly errorType = "tls_fingerprint_changed";
  readonly retryable = false;
  /** Fingerprint presented (lowercase hex). */
  readonly fingerprint: string;
  /** Fingerprints that would have been accepted. */
  readonly expected: readonly string[];

  constructor(
    message: string,
    endpoint: string,
    fingerprint: string,
    expected: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(message, endpoint, options);
    this.fingerprint = fingerprint;
    this.expected = expected;
  }
}
