import { InvalidHistoryInputError } from "./errors.ts";

/** Check a retention setting: a positive, finite number of days. */
export function validateRetentionDays(retentionDays: number): void {
  if (typeof retentionDays !== "number" || !Number.isFinite(retentionDays) || retentionDays <= 0) {
    throw new InvalidHistoryInputError(`retentionDays must be a positive number, got ${retentionDays}`);
  }
}
