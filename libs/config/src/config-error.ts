/** One invalid or missing environment variable. */
export interface ConfigIssue {
  /** Environment variable name, e.g. `NATS_URL`. */
  variable: string;
  /** What is wrong, including what was expected. */
  problem: string;
}

/** Thrown by `parseEnv` when one or more variables are missing or invalid; the message lists every one. */
export class ConfigError extends Error {
  readonly code = "CONFIG_INVALID";
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], options?: { context?: string; cause?: unknown }) {
    const header = `Invalid configuration${options?.context ? ` for ${options.context}` : ""} (${issues.length} problem${issues.length === 1 ? "" : "s"}):`;
    const lines = issues.map((issue) => `  - ${issue.variable}: ${issue.problem}`);
    super([header, ...lines].join("\n"), { cause: options?.cause });
    this.name = "ConfigError";
    this.issues = issues;
  }
}
