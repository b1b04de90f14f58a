import { randomUUID } from "node:crypto";

/** Header carrying the request id (DESIGN §12: taken from the caller when valid, returned on every response). */
export const REQUEST_ID_HEADER = "x-request-id";

const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The request id of a request: the caller's `X-Request-Id` when it is 1–128 characters of `[A-Za-z0-9._:-]`,
 * else a new UUID. It is also the correlation id of what the request causes (refresh, registration).
 */
export function requestIdOf(presented: string | undefined): string {
  return presented !== undefined && VALID_REQUEST_ID.test(presented) ? presented : randomUUID();
}
