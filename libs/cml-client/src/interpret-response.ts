import type { z } from "zod";
import { CmlAuthFailed, CmlBadResponse, CmlBooting } from "./errors.ts";
import type { CmlHttpResponse } from "./http-transport.ts";
import { errorBodySchema } from "./schemas.ts";

/** The `description` of a CML error body, if the body is one (never the raw body: it may echo input). */
function describeError(text: string): string {
  try {
    const parsed = errorBodySchema.safeParse(JSON.parse(text));
    return parsed.success ? `: ${parsed.data.description.slice(0, 200)}` : "";
  } catch {
    return "";
  }
}

/**
 * Turns a non-2xx status into the matching error: 401 → `CmlAuthFailed` (the caller may re-authenticate),
 * 502/503 → `CmlBooting`, anything else → `CmlBadResponse`.
 */
export function errorForStatus(endpoint: string, response: CmlHttpResponse): Error {
  const { status } = response;
  if (status === 401) {
    return new CmlAuthFailed(
      `CML ${endpoint}: not authenticated (401)${describeError(response.text)}`,
      endpoint,
      401,
    );
  }
  if (status === 502 || status === 503) {
    return new CmlBooting(`CML ${endpoint}: controller is starting (${status})`, endpoint, status);
  }
  return new CmlBadResponse(
    `CML ${endpoint}: unexpected status ${status}${describeError(response.text)}`,
    endpoint,
    status,
  );
}

/** Parses and validates a 2xx body; malformed JSON or a schema mismatch → `CmlBadResponse` with cause. */
export function parseBody<S extends z.ZodType>(
  endpoint: string,
  response: CmlHttpResponse,
  schema: S,
): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(response.text);
  } catch (error) {
    throw new CmlBadResponse(`CML ${endpoint}: response is not valid JSON`, endpoint, response.status, {
      cause: error,
    });
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const first = result.error.issues[0];
    const where = first ? `${first.path.join(".") || "(root)"}: ${first.message}` : "invalid";
    throw new CmlBadResponse(
      `CML ${endpoint}: response does not match the expected shape (${where})`,
      endpoint,
      response.status,
      { cause: result.error },
    );
  }
  return result.data;
}
