import { Agent, request } from "undici";
import { CmlUnreachable, type CmlUnreachableReason } from "./errors.ts";
import { secureContextFor } from "./secure-context.ts";

/** TLS and timeout settings of one controller connection. */
export interface CmlTransportOptions {
  /** Controller origin, e.g. `https://10.0.0.5`; a trailing `/api/v0` is accepted. */
  baseUrl: string;
  /** Verify the server certificate (default true). */
  verifyTls: boolean;
  /** PEM bundle trusted instead of the system roots. */
  caPem?: string;
  connectTimeoutMs: number;
  readTimeoutMs: number;
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

/** Creates the transport; TLS settings live in a private undici `Agent`, never in process-wide state. */
export function createCmlTransport(options: CmlTransportOptions): CmlTransport {
  const apiBase = apiBaseOf(options.baseUrl);
  const dispatcher = new Agent({
    connect: {
      timeout: options.connectTimeoutMs,
      rejectUnauthorized: options.verifyTls,
      ...(options.caPem === undefined ? {} : { secureContext: secureContextFor(options.caPem) }),
    },
    headersTimeout: options.readTimeoutMs,
    bodyTimeout: options.readTimeoutMs,
  });

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
      try {
        const response = await request(`${apiBase}/${path}`, { method, headers, body, dispatcher });
        const text = await response.body.text();
        return { status: response.statusCode, text };
      } catch (error) {
        const reason = unreachableReasonOf(error);
        const detail = errorCodeOf(error) || (error instanceof Error ? error.message : "unknown error");
        throw new CmlUnreachable(
          `CML ${endpoint} at ${new URL(apiBase).host} unreachable (${reason}: ${detail})`,
          endpoint,
          reason,
          { cause: error },
        );
      }
    },
    async close() {
      await dispatcher.close();
    },
  };
}
