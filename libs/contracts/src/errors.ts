import type { z } from "zod";

/** One problem found while validating a message or a request. */
export interface ValidationIssue {
  /** Dotted path of the offending field, e.g. `data.cpuUtilization`; empty for the whole value. */
  readonly field: string;
  readonly message: string;
}

/**
 * A message or request that can never be processed as it is (bad JSON, wrong envelope, wrong schema).
 * Consumers `term` it and log its id; HTTP handlers answer 400.
 */
export class ValidationError extends Error {
  override readonly name = "ValidationError";
  readonly code = "VALIDATION_FAILED";
  readonly issues: readonly ValidationIssue[];

  constructor(message: string, issues: readonly ValidationIssue[], options?: { cause?: unknown }) {
    super(message, options);
    this.issues = issues;
  }

  /** The first offending field (the one named in the message). */
  get field(): string {
    return this.issues[0]?.field ?? "";
  }

  /** Builds a ValidationError from a zod error, prefixing every path with `prefix` (e.g. `data`). */
  static fromZod(what: string, error: z.ZodError, prefix = ""): ValidationError {
    const issues = error.issues.map((issue) => ({
      field: [prefix, ...issue.path.map(String)].filter((part) => part !== "").join("."),
      message: issue.message,
    }));
    const first = issues[0];
    const summary = first ? `${first.field || "(root)"}: ${first.message}` : "invalid";
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
    return new ValidationError(`${what} is invalid: ${summary}${more}`, issues, { cause: error });
  }
}

/** A failure that may succeed when retried later (network, throttling, a dependency down). Consumers `nak` with backoff. */
export class TransientError extends Error {
  override readonly name = "TransientError";
  readonly code: string;
  /** Suggested delay before the retry, when the failure says (e.g. a throttling response). */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options?: { cause?: unknown; code?: string; retryAfterMs?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = options?.code ?? "TRANSIENT";
    this.retryAfterMs = options?.retryAfterMs;
  }
}
