import { createHash, timingSafeEqual } from "node:crypto";
import type { ApiRole, ApiToken } from "@cml-telemetry/config";

/** Who made a request. */
export interface Principal {
  name: string;
  role: ApiRole;
}

/** Checks presented bearer tokens against the configured SHA-256 digests. */
export interface TokenAuthenticator {
  /** False when no tokens are configured (auth off, loopback only). */
  readonly enabled: boolean;
  /** The principal of a presented token, or undefined when unknown. */
  authenticate(presented: string): Principal | undefined;
}

/**
 * Compares the SHA-256 of the presented token with every configured digest using `timingSafeEqual`
 * (all entries are compared, so timing does not reveal which one matched).
 */
export function createTokenAuthenticator(tokens: readonly ApiToken[]): TokenAuthenticator {
  const entries = tokens.map((token) => ({
    principal: { name: token.name, role: token.role } satisfies Principal,
    digest: Buffer.from(token.sha256, "hex"),
  }));
  return {
    enabled: entries.length > 0,
    authenticate(presented) {
      const digest = createHash("sha256").update(presented, "utf8").digest();
      let match: Principal | undefined;
      for (const entry of entries) {
        if (entry.digest.length === digest.length && timingSafeEqual(entry.digest, digest))
          match ??= entry.principal;
      }
      return match;
    },
  };
}

/**
 * The authenticator of `/metrics`: the API's tokens, plus the scrape token whose SHA-256 is `metricsTokenSha256`
 * (`METRICS_TOKEN`), which is good for `/metrics` only. Enabled exactly when the API's tokens are.
 */
export function withMetricsToken(
  base: TokenAuthenticator,
  metricsTokenSha256: string | undefined,
): TokenAuthenticator {
  if (metricsTokenSha256 === undefined) return base;
  const scraper = createTokenAuthenticator([{ name: "metrics", role: "viewer", sha256: metricsTokenSha256 }]);
  return {
    enabled: base.enabled,
    authenticate(presented) {
      const principal = base.authenticate(presented);
      const scrape = scraper.authenticate(presented);
      return principal ?? scrape;
    },
  };
}

/** Lowercase hex SHA-256 of a token, as written in `API_TOKENS`. */
export function sha256Hex(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}
