import { ProblemError } from "../problems.ts";
import { LiveCapacityError, type LiveHub, type SessionSlot } from "./live-hub.ts";

/** Seconds a refused live client is told to wait before trying again. */
const RETRY_AFTER_SECONDS = "10";

/**
 * A place for a live client of `principal`, or the problem to answer: 429 when the principal has as many live
 * clients as allowed, 503 when this API instance has.
 */
export function reserveLiveSlot(hub: LiveHub, principal: string): SessionSlot {
  try {
    return hub.reserve(principal);
  } catch (error) {
    if (!(error instanceof LiveCapacityError)) throw error;
    throw new ProblemError(
      error.scope === "total" ? "service-unavailable" : "rate-limited",
      error.message,
      { headers: { "Retry-After": RETRY_AFTER_SECONDS } },
      { cause: error },
    );
  }
}
