import { setFlagsFromString } from "node:v8";

/** Old-generation growth per major collection: 1.5 × what survived, instead of V8's adaptive 1.1–4 ×. */
export const HEAP_GROWING_PERCENT = 50;

/**
 * Tunes V8's heap for a service process (much short-lived garbage per message, a small live set): the old
 * generation may grow only by half of what survived the last full collection. With V8's default factor it grew to
 * four times the live set between collections: worker-aggregate reached 500 MB RSS for ~60 MB of live data under
 * load (bench/aggregate.ts), collector-cml ~200 MB of old generation for ~80 MB live at 5,000 workers
 * (bench/system.ts), for no throughput gain. Settable at run time, unlike the young-generation size, which each
 * process gets as the `--max-semi-space-size` flag (SERVICE_NODE_FLAGS of libs/launcher, `NODE_OPTIONS` in
 * docker-compose). Every service's main.ts calls it first.
 */
export function applyHeapTuning(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
