import type { IdleStopPolicyConfig } from "@cml-telemetry/lifecycle";
import { createPriceCache, type PriceCache } from "../read-model/price-cache.ts";
import type { WorkerViewContext } from "../workers/worker-view.ts";

/**
 * A worker view context with the config defaults (idle threshold 30 min, policy off, CML fresh for 120 s, snooze
 * 60 min, no windows) and an empty, synced price cache, with `policy` applied.
 */
export function aWorkerViewContext(
  policy: Partial<IdleStopPolicyConfig> = {},
): WorkerViewContext & { prices: PriceCache } {
  const prices = createPriceCache();
  prices.markSynced();
  return {
    idlePolicy: {
      mode: "off",
      thresholdMinutes: 30,
      cmlFreshSeconds: 120,
      snoozeMinutes: 60,
      windows: [],
      ...policy,
    },
    prices,
  };
}
