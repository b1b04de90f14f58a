import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseApiTokens, resolveApiTokens } from "./api-tokens.ts";

const HASH = "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08";

describe("parseApiTokens", () => {
  it("parses comma-separated entries and lowercases the hash", () => {
    expect(parseApiTokens(`ci:operator:${HASH}, grafana:viewer:${HASH}`)).toEqual({
      ok: true,
      tokens: [
        { name: "ci", role: "operator", sha256: HASH.toLowerCase() },
        { name: "grafana", role: "viewer", sha256: HASH.toLowerCase() },
      ],
    });
  });

  it("reports every bad entry by position without echoing it", () => {
    const result = parseApiTokens(
      `a:admin:${HASH},b:viewer,c:viewer:secretish,c2:viewer:${HASH},c2:operator:${HASH}`,
    );
    expect(result).toEqual({
      ok: false,
      problems: [
        "entry 1: role must be viewer or operator",
        "entry 2: expected name:role:sha256hex",
        "entry 3: expected 64 hex digits of SHA-256",
        'entry 5: duplicate token name "c2"',
      ],
    });
    expect(JSON.stringify(result)).not.toContain("secretish");
  });
});

describe("resolveApiTokens", () => {
  it("reads @file with one entry per line, skipping blanks and comments", () => {
    const dir = mkdtempSync(join(tmpdir(), "api-tokens-"));
    const file = join(dir, "tokens");
    writeFileSync(file, `# tokens\nci:operator:${HASH}\n\nview:viewer:${HASH}\n`);
    const result = resolveApiTokens(`@${file}`);
    expect(result.ok && result.tokens.map((token) => token.name)).toEqual(["ci", "view"]);
  });

  it("reports an unreadable file", () => {
    expect(resolveApiTokens("@/nonexistent/tokens")).toEqual({
      ok: false,
      problems: ["cannot read token file /nonexistent/tokens (ENOENT)"],
    });
  });
});
