import { ProblemError } from "../problems.ts";

/** Encodes a paging position as an opaque cursor. */
export function encodeCursor(position: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(position), "utf8").toString("base64url");
}

/**
 * Decodes a cursor made by {@link encodeCursor}, checking the field it must hold.
 * @throws ProblemError `validation-error` naming `cursor` when it is not one of ours.
 */
export function decodeCursor<K extends string, T extends "string" | "number">(
  cursor: string,
  key: K,
  type: T,
): T extends "string" ? string : number {
  try {
    const value = (JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as Record<string, unknown>)[
      key
    ];
    if (typeof value === type) return value as T extends "string" ? string : number;
  } catch {
    // fall through to the problem below
  }
  throw new ProblemError("validation-error", "cursor: not a cursor returned by this API", {
    param: "cursor",
  });
}
