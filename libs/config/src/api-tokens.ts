import { readFileSync } from "node:fs";

/** Roles of API bearer tokens: viewers read, operators also register and refresh workers. */
export const API_ROLES = ["viewer", "operator"] as const;

/** A role of an API bearer token. */
export type ApiRole = (typeof API_ROLES)[number];

/** One configured API token: only the SHA-256 of the bearer secret is kept. */
export interface ApiToken {
  /** Who holds the token (for logs and audit fields). */
  name: string;
  role: ApiRole;
  /** Lowercase hex SHA-256 of the bearer token. */
  sha256: string;
}

/** Outcome of parsing `API_TOKENS`: the tokens, or the problems found (entries are referred to by position, never by value). */
export type ApiTokensParseResult = { ok: true; tokens: ApiToken[] } | { ok: false; problems: string[] };

function parseEntry(entry: string, position: string): ApiToken | string {
  const parts = entry.split(":").map((part) => part.trim());
  const [name, role, sha256] = parts;
  if (parts.length !== 3 || !name || !role || !sha256) return `${position}: expected name:role:sha256hex`;
  if (!(API_ROLES as readonly string[]).includes(role))
    return `${position}: role must be ${API_ROLES.join(" or ")}`;
  if (!/^[0-9a-fA-F]{64}$/.test(sha256)) return `${position}: expected 64 hex digits of SHA-256`;
  return { name, role: role as ApiRole, sha256: sha256.toLowerCase() };
}

/**
 * Parses token entries (`name:role:sha256hex`), given comma- or newline-separated; blank lines and `#` comments are skipped.
 * @example parseApiTokens("ci:operator:9f86d0...")
 */
export function parseApiTokens(text: string): ApiTokensParseResult {
  const entries = text
    .split(/[,\n]/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith("#"));
  const tokens: ApiToken[] = [];
  const problems: string[] = [];
  const names = new Set<string>();
  entries.forEach((entry, index) => {
    const parsed = parseEntry(entry, `entry ${index + 1}`);
    if (typeof parsed === "string") {
      problems.push(parsed);
    } else if (names.has(parsed.name)) {
      problems.push(`entry ${index + 1}: duplicate token name ${JSON.stringify(parsed.name)}`);
    } else {
      names.add(parsed.name);
      tokens.push(parsed);
    }
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, tokens };
}

/**
 * Resolves the `API_TOKENS` value: inline entries, or `@/path/to/file` with one entry per line.
 * Reads the file synchronously (config is loaded once at start).
 */
export function resolveApiTokens(
  value: string,
  readFile: (path: string) => string = (path) => readFileSync(path, "utf8"),
): ApiTokensParseResult {
  const trimmed = value.trim();
  if (!trimmed.startsWith("@")) return parseApiTokens(trimmed);
  const path = trimmed.slice(1).trim();
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    const reason = error instanceof Error && "code" in error ? String(error.code) : "unreadable";
    return { ok: false, problems: [`cannot read token file ${path} (${reason})`] };
  }
  return parseApiTokens(text);
}
