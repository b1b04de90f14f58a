import type { TofuPinStore } from "@cml-telemetry/cml-client";
import type { Topology } from "@cml-telemetry/contracts";
import { jetstream } from "@nats-io/jetstream";
import { type KV, Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";

/** A pin as kept in KV `cml_tls_pins` (key = worker id). */
interface PinRecord {
  /** SHA-256 of the certificate, lowercase hex without colons. */
  readonly fingerprint: string;
  readonly recordedAt: string;
}

/** The fingerprint of a stored pin record, or undefined for anything else. */
function fingerprintOf(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || !("fingerprint" in value)) return undefined;
  const { fingerprint } = value;
  return typeof fingerprint === "string" && /^[0-9a-f]{64}$/.test(fingerprint) ? fingerprint : undefined;
}

/**
 * Trust-on-first-use pins in the KV bucket `cml_tls_pins`: every replica reads and writes the same bucket, so they
 * agree on each worker's first certificate (the first `create` wins), and a restarted replica remembers it.
 * Removing a key (`nats kv del cml_tls_pins <workerId>`) accepts the next certificate seen.
 */
export function kvTlsPinStore(kv: KV, now: () => number = Date.now): TofuPinStore {
  async function get(key: string): Promise<string | undefined> {
    const entry = await kv.get(key);
    if (entry === null || entry.operation !== "PUT") return undefined;
    return fingerprintOf(entry.json());
  }
  return {
    get,
    async recordFirst(key, fingerprint) {
      const record: PinRecord = { fingerprint, recordedAt: new Date(now()).toISOString() };
      try {
        await kv.create(key, JSON.stringify(record));
        return { fingerprint, recorded: true };
      } catch (error) {
        // Another replica recorded one first (create refuses an existing key): that one stands.
        const existing = await get(key);
        if (existing === undefined) throw error;
        return { fingerprint: existing, recorded: false };
      }
    },
  };
}

/** Opens the pin bucket of the topology (provisioned with the others) as a {@link TofuPinStore}. */
export async function openTlsPinStore(nc: NatsConnection, topology: Topology): Promise<TofuPinStore> {
  return kvTlsPinStore(await new Kvm(jetstream(nc)).open(topology.kv.tlsPins.bucket));
}
