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
  readonly retryable: boolean;
  /** HTTP status of the response (a 2xx status means the body was the problem). */
  readonly status: number;

  constructor(message: string, endpoint: string, status: number, options?: { cause?: unknown }) {
    super(message, endpoint, options);
    this.status = status;
    this.retryable = status === 429 || status === 500 || status === 504;
  }
}
