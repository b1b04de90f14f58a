import { decodePagingToken, encodePagingToken } from "../paging-token.ts";

/** One page of an EC2 Describe* result and the token of the next one. */
export interface Ec2Page<T> {
  items: T[];
  nextToken: string | undefined;
}

/** Cuts the page that `NextToken`/`MaxResults` select out of the full result (no MaxResults: everything). */
export function ec2Page<T>(
  operation: string,
  all: readonly T[],
  maxResults: number | undefined,
  token: string | undefined,
): Ec2Page<T> {
  const offset = token ? (decodePagingToken(operation, token, "InvalidParameterValue", ["o"]).o ?? 0) : 0;
  const end = maxResults === undefined ? all.length : Math.min(all.length, offset + maxResults);
  return {
    items: all.slice(offset, end),
    nextToken: end < all.length ? encodePagingToken(operation, { o: end }) : undefined,
  };
}
