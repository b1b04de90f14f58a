import { Agent, type Dispatcher, request } from "undici";
import type { CmlUnreachableReason } from "./errors.ts";
import {
  CmlDeadlineExceeded,
  CmlResponseTooLarge,
  CmlTlsFingerprintChanged,
  CmlUnreachable,
} from "./errors.ts";
import {
  CertificatePinUnavailable,
  type CmlTlsPolicy,
  createTlsConnector,
  PinnedCertificateMismatch,
} from "./tls-connector.ts";

/** TLS, timeout and size settings of one controller connection. */
export interface CmlTransportOptions extends CmlTlsPolicy {
  /** Controller origin, e.g. `https://10.0.0.5`; a trailing `/api/v0` is accepted. */
  baseUrl: string;
  /** Idle timers: time allowed for the response headers, and between two pieces of the body. */
  readTimeoutMs: number;
  /** Overall deadline of one call, from connecting to the body's last byte. */
  deadlineMs: number;
  /** Largest body read; a larger answer fails with `CmlResponseTooLarge`. */
  maxResponseBytes: number;
  /**
   * Calls in flight at once on the controller's one connection (HTTP/1.1 pipelining; default 1: one after another).
   * Parallel calls share one TLS connection instead of each opening its own.
   */
  pipelining?: number;
}

/** Raw answer: status and body text (the body is always fully read so the socket is reused). */
export interface CmlHttpResponse {
  status: number;
  text: string;
}

/** One controller's HTTPS connection pool with its own TLS policy (never the process-wide one). */
export interface CmlTransport {
  /** `https://host:port/api/v0` */
  readonly apiBase: string;
  send(
    endpoint: string,
    method: "GET" | "POST",
    path: string,
    options?: { token?: string; json?: unknown },
  ): Promise<CmlHttpResponse>;
  close(): Promise<void>;
}

const API_PREFIX = "/api/v0";

/** Normalises a controller address to its API base: `https://h` and `https://h/api/v0/` → `https://h/api/v0`. */
export function apiBaseOf(baseUrl: string): string {
  const url = new URL(baseUrl);
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new TypeError(`CML base URL must be http(s): ${url.protocol}`);
  }
  const path = url.pathname.replace(/\/+$/, "");
  const prefix = path.endsWith(API_PREFIX) ? path : `${path}${API_PREFIX}`;
  return `${url.origin}${prefix}`;
}

const TLS_CODE = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|HOSTNAME|ALTNAME/;

function errorCodeOf(error: unknown): string {
  if (typeof error === "object" && error !== null && "code" in error && typeof error.code === "string") {
    return error.code;
  }
  return "";
}

function syscallOf(error: unknown): string {
  if (
    typeof error === "object" &&
    error !== null &&
    "syscall" in error &&
    typeof error.syscall === "string"
  ) {
    return error.syscall;
  }
  return "";
}

/** Classifies a transport failure (undici or Node socket/TLS error) into an unreachable reason. */
export function unreachableReasonOf(error: unknown): CmlUnreachableReason {
  const code = errorCodeOf(error);
  if (code === "ECONNREFUSED") return "refused";
  // A reset during connect is how a firewall or a stopped service often refuses.
  if (code === "ECONNRESET" && syscallOf(error) === "connect") return "refused";
  if (code === "UND_ERR_CONNECT_TIMEOUT" || code === "ETIMEDOUT") return "connect-timeout";
  if (code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT") return "read-timeout";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "dns";
  if (TLS_CODE.test(code)) return "tls";
  if (code === "ECONNRESET" || code === "EPIPE" || code === "UND_ERR_SOCKET" || code === "UND_ERR_CLOSED") {
    return "connection-closed";
  }
  return "network";
}

/**
 * Reads a body up to `limit` bytes; a larger one (declared or received) → `CmlResponseTooLarge`. Leaving the loop
 * early destroys the body, so the rest is never read.
 */
async function readBoundedText(
  response: Dispatcher.ResponseData,
  limit: number,
  tooLarge: () => CmlResponseTooLarge,
): Promise<string> {
  const declared = Number(response.headers["content-length"]);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += (chunk as Buffer).length;
    if (size > limit || declared > limit) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Creates the transport; TLS settings live in a private undici `Agent` (one connection, kept alive as long as the
 * controller allows), never in process-wide state.
 */
export function createCmlTransport(options: CmlTransportOptions): CmlTransport {
  const apiBase = apiBaseOf(options.baseUrl);
  const host = new URL(apiBase).host;
  // One connection per controller: a collection's calls (a few lab states at once, pipelined) cost one TLS
  // handshake, where a connection per parallel call cost one each.
  const dispatcher = new Agent({
    connect: createTlsConnector(options),
    connections: 1,
    pipelining: Math.max(1, options.pipelining ?? 1),
    headersTimeout: options.readTimeoutMs,
    bodyTimeout: options.readTimeoutMs,
  });

  /** The client error for what went wrong in one call (the deadline wins over what its abort caused). */
  function failureOf(endpoint: string, error: unknown, deadlinePassed: boolean): Error {
    if (deadlinePassed) {
      return new CmlDeadlineExceeded(
        `CML ${endpoint} at ${host} did not answer within ${options.deadlineMs} ms`,
        endpoint,
        { cause: error },
      );
    }
    if (error instanceof CmlResponseTooLarge) return error;
    if (error instanceof PinnedCertificateMismatch) {
      return new CmlTlsFingerprintChanged(
        `CML ${endpoint} at ${host}: the certificate (SHA-256 ${error.fingerprint}) is not the pinned one (${error.expected.join(", ")})`,
        endpoint,
        error.fingerprint,
        error.expected,
        { cause: error },
      );
    }
    if (error instanceof CertificatePinUnavailable) {
      return new CmlUnreachable(
        `CML ${endpoint} at ${host}: the certificate pin could not be checked (${(error.cause as Error)?.message ?? "unknown error"})`,
        endpoint,
        "tls",
        { cause: error },
      );
    }
    const reason = unreachableReasonOf(error);
    const detail = errorCodeOf(error) || (error instanceof Error ? error.message : "unknown error");
    return new CmlUnreachable(
      `CML ${endpoint} at ${host} unreachable (${reason}: ${detail})`,
      endpoint,
      reason,
      {
        cause: error,
      },
    );
  }

  return {
    apiBase,
    async send(endpoint, method, path, sendOptions = {}) {
      const headers: Record<string, string> = { accept: "application/json" };
      if (sendOptions.token !== undefined) headers.authorization = `Bearer ${sendOptions.token}`;
      let body: string | undefined;
      if (sendOptions.json !== undefined) {
        headers["content-type"] = "application/json";
        body = JSON.stringify(sendOptions.json);
      }
      const deadline = new AbortController();
      const timer = setTimeout(() => deadline.abort(), options.deadlineMs);
      try {
        const response = await request(`${apiBase}/${path}`, {
          method,
          headers,
          body,
          dispatcher,
          signal: deadline.signal,
        });
        const text = await readBoundedText(
          response,
          options.maxResponseBytes,
          () =>
            new CmlResponseTooLarge(
              `CML ${endpoint} at ${host}: answer larger than ${options.maxResponseBytes} bytes`,
              endpoint,
            ),
        );
        return { status: response.statusCode, text };
      } catch (error) {
        throw failureOf(endpoint, error, deadline.signal.aborted);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      await dispatcher.close();
    },
  };
}
