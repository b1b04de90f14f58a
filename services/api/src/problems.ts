import type { Context } from "hono";

/** Base URI of every problem `type` of this API; the path after it is stable. */
export const PROBLEM_BASE = "https://cml-telemetry.dev/problems/";

/**
 * The problem types of the API (RFC 7807): key → status and title. `type` is `PROBLEM_BASE + key`.
 * Clients branch on `type`; `detail` is for humans and may change.
 */
export const PROBLEM_TYPES = {
  "validation-error": { status: 400, title: "Request is invalid" },
  unauthorized: { status: 401, title: "Authentication required" },
  forbidden: { status: 403, title: "Role not allowed" },
  "not-found": { status: 404, title: "Resource not found" },
  conflict: { status: 409, title: "Conflicts with the resource's state" },
  "payload-too-large": { status: 413, title: "Request body too large" },
  "unsupported-media-type": { status: 415, title: "Unsupported media type" },
  "upgrade-required": { status: 426, title: "Upgrade to WebSocket required" },
  "rate-limited": { status: 429, title: "Too many requests" },
  "internal-error": { status: 500, title: "Internal error" },
  "upstream-error": { status: 502, title: "A dependency answered with an error" },
  "service-unavailable": { status: 503, title: "Service unavailable" },
} as const;

/** Key of a problem type, e.g. `not-found`. */
export type ProblemKind = keyof typeof PROBLEM_TYPES;

/** An RFC 7807 problem document as this API sends it. */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  /** Name of the offending parameter or body field, when one is to blame. */
  param?: string;
  /** Every validation issue, when more than one field is wrong. */
  errors?: Array<{ param: string; message: string }>;
}

/** Extra members of a problem. */
export interface ProblemExtras {
  param?: string;
  errors?: Array<{ param: string; message: string }>;
  /** Response headers to add (e.g. `Retry-After`, `WWW-Authenticate`). */
  headers?: Record<string, string>;
}

/** Content type of problem responses. */
export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/**
 * An expected failure of a request, turned into a problem response at the HTTP edge.
 * @example throw new ProblemError("not-found", `worker ${id} does not exist`)
 */
export class ProblemError extends Error {
  override readonly name = "ProblemError";
  readonly kind: ProblemKind;
  readonly extras: ProblemExtras;

  constructor(kind: ProblemKind, detail: string, extras: ProblemExtras = {}, options?: { cause?: unknown }) {
    super(detail, options);
    this.kind = kind;
    this.extras = extras;
  }

  /** HTTP status of this problem. */
  get status(): number {
    return PROBLEM_TYPES[this.kind].status;
  }
}

/** The problem document of a kind. */
export function problemDocument(
  kind: ProblemKind,
  detail: string,
  extras: ProblemExtras = {},
  instance?: string,
): ProblemDocument {
  const { status, title } = PROBLEM_TYPES[kind];
  const doc: ProblemDocument = { type: `${PROBLEM_BASE}${kind}`, title, status, detail };
  if (instance !== undefined) doc.instance = instance;
  if (extras.param !== undefined) doc.param = extras.param;
  if (extras.errors !== undefined) doc.errors = extras.errors;
  return doc;
}

/** A `Response` carrying a problem document. */
export function problemResponse(
  kind: ProblemKind,
  detail: string,
  extras: ProblemExtras = {},
  instance?: string,
): Response {
  const doc = problemDocument(kind, detail, extras, instance);
  return new Response(JSON.stringify(doc), {
    status: doc.status,
    headers: { "content-type": PROBLEM_CONTENT_TYPE, ...extras.headers },
  });
}

/** Problem response for a Hono context (sets `instance` to the request path). */
export function respondProblem(c: Context, error: ProblemError): Response {
  return problemResponse(error.kind, error.message, error.extras, c.req.path);
}
