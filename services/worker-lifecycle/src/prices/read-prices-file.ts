import { readFileSync } from "node:fs";
import type { PriceEntry } from "@cml-telemetry/contracts";
import { priceEntriesOfFile, pricesFileSchema } from "@cml-telemetry/lifecycle";

/** `PRICES_FILE` could not be read or does not have the documented shape; the message says which and why. */
export class PricesFileError extends Error {
  override readonly name = "PricesFileError";
  readonly code = "INVALID_PRICES_FILE";
}

/**
 * Reads `PRICES_FILE` (`{ "<region>": { "<instanceType>": <usd> } }`) into price entries by key.
 * @throws PricesFileError naming the file and the first problem.
 */
export function readPricesFile(path: string, now: Date): Map<string, PriceEntry> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new PricesFileError(`PRICES_FILE ${path} could not be read as JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const parsed = pricesFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PricesFileError(
      `PRICES_FILE ${path} is invalid at ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}; expected { "<region>": { "<instanceType>": <USD per hour> } }`,
    );
  }
  return priceEntriesOfFile(parsed.data, now);
}
