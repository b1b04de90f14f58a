import { AwsApiError } from "./aws-api-error.ts";

/** Encodes a paging position as an opaque NextToken bound to one operation. */
export function encodePagingToken(operation: string, position: Record<string, number>): string {
  return Buffer.from(JSON.stringify({ op: operation, ...position })).toString("base64url");
}

/**
 * Decodes a NextToken produced by {@link encodePagingToken} for the same operation.
 * @throws AwsApiError with `errorCode` when the token is not one of ours.
 */
export function decodePagingToken(
  operation: string,
  token: string,
  errorCode: string,
  fields: readonly string[],
): Record<string, number> {
  const invalid = new AwsApiError(errorCode, `The token '${token}' is invalid.`);
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    throw invalid;
  }
  if (typeof decoded !== "object" || decoded === null || (decoded as { op?: unknown }).op !== operation)
    throw invalid;
  const position: Record<string, number> = {};
  for (const field of fields) {
    const value = (decoded as Record<string, unknown>)[field];
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0) throw invalid;
    position[field] = value;
  }
  return position;
}
