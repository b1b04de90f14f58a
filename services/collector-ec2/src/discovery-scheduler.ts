import type { Logger } from "@cml-telemetry/messaging";
import { createSlotTicker, publishDiscoverCommand, type SlotTicker } from "@cml-telemetry/scheduling";
import type { JetStreamClient } from "@nats-io/jetstream";

/**
 * Creates the discovery ticker of a replica: once at start and every `intervalSeconds` it publishes one
 * `cml.cmd.discover.ec2.<region>` per region (msg-id `ec2-discovery:<region>:<slot>`, so replicas publish it once).
 */
export function createDiscoveryScheduler(options: {
  js: JetStreamClient;
  regions: readonly string[];
  intervalSeconds: number;
  logger: Logger;
  now?: () => number;
}): SlotTicker {
  return createSlotTicker({
    intervalSeconds: options.intervalSeconds,
    logger: options.logger,
    ...(options.now ? { now: options.now } : {}),
    onSlot: async (slot) => {
      for (const region of options.regions) {
        await publishDiscoverCommand({ js: options.js, region, slot });
      }
    },
  });
}
