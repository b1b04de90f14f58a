import { isDryRunAnswer, isThrottlingError } from "./aws-failure.ts";

/** Outcome of one AWS call, as counted in the self-metrics. */
export type AwsCallOutcome = "success" | "throttled" | "error";

/** Observes every AWS request (after the SDK's own retries). */
export type AwsCallObserver = (action: string, region: string, outcome: AwsCallOutcome) => void;

/** Backoff applied on top of the SDK's adaptive retries when AWS keeps throttling. */
export interface ThrottleBackoff {
  /** Extra attempts after a throttled call (default 2). */
  readonly retries: number;
  /** First delay, doubled per retry with jitter (default 1000 ms). */
  readonly baseDelayMs: number;
}

/** Runs AWS calls of one service, counting them and backing off on throttling. */
export interface AwsCaller {
  call<T>(action: string, region: string, send: () => Promise<T>): Promise<T>;
}

/** Default backoff: two extra attempts after 1 s and 2 s (plus jitter). */
export const DEFAULT_THROTTLE_BACKOFF: ThrottleBackoff = { retries: 2, baseDelayMs: 1_000 };

/**
 * Creates an AWS caller: every call is reported to `observe`; a throttled call is retried after an exponential,
 * jittered delay up to `backoff.retries` times, then its error is thrown.
 */
export function createAwsCaller(options: {
  observe?: AwsCallObserver;
  backoff?: ThrottleBackoff;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}): AwsCaller {
  const backoff = options.backoff ?? DEFAULT_THROTTLE_BACKOFF;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  return {
    async call(action, region, send) {
      for (let attempt = 0; ; attempt++) {
        try {
          const result = await send();
          options.observe?.(action, region, "success");
          return result;
        } catch (error) {
          const throttled = isThrottlingError(error);
          // A permitted dry run answers with an error (DryRunOperation) but is a successful call.
          options.observe?.(
            action,
            region,
            throttled ? "throttled" : isDryRunAnswer(error) ? "success" : "error",
          );
          if (!throttled || attempt >= backoff.retries) throw error;
          const delay = backoff.baseDelayMs * 2 ** attempt;
          await sleep(delay / 2 + random() * (delay / 2));
        }
      }
    },
  };
}

/** One observer that calls every given observer (absent ones are skipped) in order. */
export function combineAwsCallObservers(
  ...observers: ReadonlyArray<AwsCallObserver | undefined>
): AwsCallObserver {
  return (action, region, outcome) => {
    for (const observe of observers) observe?.(action, region, outcome);
  };
}
