import { isCompareAndSetConflict } from "@cml-telemetry/messaging";
import type { KV, KvEntry } from "@nats-io/kv";
import { z } from "zod";

/** What a replica learns when it claims a request. */
export type ClaimResult =
  /** This replica executes the request; `revision` is its claim's. */
  | { readonly kind: "claimed"; readonly revision: number }
  /** The request was executed: its outcome (the `ec2.action` CloudEvent, JSON) is to be published again. */
  | { readonly kind: "done"; readonly outcomeEvent: string }
  /** Another replica claimed it less than the stale time ago and may still be at it. */
  | { readonly kind: "busy"; readonly retryInMs: number };

/** The execution claims of lifecycle requests, shared by every replica (KV `cml_lifecycle_requests`). */
export interface RequestClaims {
  claim(key: string): Promise<ClaimResult>;
  /** Records the outcome on this replica's claim. @throws ClaimLostError when another replica took it over. */
  complete(key: string, revision: number, outcomeEvent: string): Promise<void>;
  /** Gives the claim up (the request failed in a way a retry may fix), so the next delivery can claim it at once. */
  release(key: string, revision: number): Promise<void>;
}

/** This replica's claim was taken over (it outlived the stale time): its result is not recorded. */
export class ClaimLostError extends Error {
  override readonly name = "ClaimLostError";
  readonly code = "CLAIM_LOST";
}

const claimSchema = z.object({
  claimedAt: z.number(),
  outcome: z.string().nullable(),
});
type Claim = z.infer<typeof claimSchema>;

function claimOf(entry: KvEntry | null): Claim | undefined {
  if (entry === null || entry.operation !== "PUT") return undefined;
  try {
    const parsed = claimSchema.safeParse(entry.json());
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** How many times a claim is retried when another replica changes it at the same moment. */
const MAX_CONFLICTS = 5;

/**
 * Claims in KV with compare-and-set (nats-server 2.9 compatible): the first replica creates the key (create-only), a
 * claim without outcome older than `staleAfterMs` (the consumer's ack wait: its holder is gone or stuck) is taken over
 * by updating its revision, and the outcome is written on the claim so a redelivered command republishes it. The
 * bucket's max age (a day) ends old claims; an entry that does not parse counts as absent.
 */
export function createKvRequestClaims(
  kv: KV,
  options: { staleAfterMs: number; now: () => number },
): RequestClaims {
  const encode = (claim: Claim): string => JSON.stringify(claim);
  return {
    async claim(key) {
      for (let attempt = 0; attempt < MAX_CONFLICTS; attempt++) {
        const entry = await kv.get(key);
        const existing = claimOf(entry);
        const fresh = encode({ claimedAt: options.now(), outcome: null });
        try {
          if (existing === undefined || entry === null) {
            const revision =
              entry === null || entry.operation !== "PUT"
                ? await kv.create(key, fresh)
                : await kv.update(key, fresh, entry.revision);
            return { kind: "claimed", revision };
          }
          if (existing.outcome !== null) return { kind: "done", outcomeEvent: existing.outcome };
          const age = options.now() - existing.claimedAt;
          if (age < options.staleAfterMs) return { kind: "busy", retryInMs: options.staleAfterMs - age };
          return { kind: "claimed", revision: await kv.update(key, fresh, entry.revision) };
        } catch (error) {
          if (!isCompareAndSetConflict(error)) throw error;
        }
      }
      return { kind: "busy", retryInMs: 1_000 };
    },
    async complete(key, revision, outcomeEvent) {
      try {
        await kv.update(key, encode({ claimedAt: options.now(), outcome: outcomeEvent }), revision);
      } catch (error) {
        if (isCompareAndSetConflict(error))
          throw new ClaimLostError(`the claim of ${key} was taken over`, { cause: error });
        throw error;
      }
    },
    async release(key, revision) {
      try {
        await kv.delete(key, { previousSeq: revision });
      } catch (error) {
        if (!isCompareAndSetConflict(error)) throw error;
      }
    },
  };
}
