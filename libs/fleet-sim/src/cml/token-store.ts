import { createHmac, randomBytes, randomUUID } from "node:crypto";

/** Why a bearer token was refused. */
export type TokenRejection = "missing" | "invalid" | "expired";

/** Issues HS256 JWTs and remembers them until they expire or are revoked. */
export interface TokenStore {
  issue(username: string): string;
  /** null when the token is valid. */
  check(authorization: string | undefined): TokenRejection | null;
  revokeAll(): void;
}

const base64url = (value: string | Buffer): string => Buffer.from(value).toString("base64url");

/** Creates a store whose tokens live `ttlSeconds` on the given clock. */
export function createTokenStore(ttlSeconds: number, now: () => number): TokenStore {
  let secret = randomBytes(32);
  const expiries = new Map<string, number>();

  return {
    issue(username) {
      const issuedAt = now();
      const header = base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
      const payload = base64url(
        JSON.stringify({
          sub: username,
          iat: Math.floor(issuedAt / 1000),
          exp: Math.floor(issuedAt / 1000) + ttlSeconds,
          jti: randomUUID(),
        }),
      );
      const signature = createHmac("sha256", secret).update(`${header}.${payload}`).digest("base64url");
      const token = `${header}.${payload}.${signature}`;
      expiries.set(token, issuedAt + ttlSeconds * 1000);
      return token;
    },
    check(authorization) {
      const match = /^Bearer (\S+)$/.exec(authorization ?? "");
      if (!match) return "missing";
      const expiresAt = expiries.get(match[1] as string);
      if (expiresAt === undefined) return "invalid";
      if (now() >= expiresAt) {
        expiries.delete(match[1] as string);
        return "expired";
      }
      return null;
    },
    revokeAll() {
      expiries.clear();
      secret = randomBytes(32);
    },
  };
}
