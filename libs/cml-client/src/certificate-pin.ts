/** What a pin says about a certificate a controller presented. */
export type CmlPinVerdict =
  | { readonly accepted: true }
  | { readonly accepted: false; readonly expected: readonly string[] };

/**
 * Decides on a controller's certificate by its SHA-256 fingerprint (lowercase hex, no separators). With a pin the
 * client checks the certificate against it instead of a CA chain and host name, before anything is sent.
 */
export type CmlCertificatePin = (fingerprint: string) => CmlPinVerdict | Promise<CmlPinVerdict>;

const FINGERPRINT = /^[0-9a-f]{64}$/;

/**
 * A SHA-256 fingerprint in the form pins compare: lowercase hex without separators. Accepts what `openssl x509
 * -fingerprint -sha256` and browsers print (`AB:CD:…`, optionally after `sha256/` or `SHA256 Fingerprint=`).
 * @example normalizeFingerprint("AB:CD:…") // "abcd…"
 */
export function normalizeFingerprint(text: string): string {
  const hex = text
    .trim()
    .replace(/^(sha-?256\s*(fingerprint)?\s*[=/:]?\s*)/i, "")
    .replace(/[:\s]/g, "")
    .toLowerCase();
  if (!FINGERPRINT.test(hex)) {
    throw new RangeError(`not a SHA-256 certificate fingerprint (64 hex digits): ${JSON.stringify(text)}`);
  }
  return hex;
}

/** A pin that accepts exactly the given fingerprints (any form {@link normalizeFingerprint} reads). */
export function fixedFingerprintPin(fingerprints: readonly string[]): CmlCertificatePin {
  const accepted = [...new Set(fingerprints.map(normalizeFingerprint))];
  if (accepted.length === 0) throw new RangeError("a fixed certificate pin needs at least one fingerprint");
  return (fingerprint) =>
    accepted.includes(fingerprint) ? { accepted: true } : { accepted: false, expected: accepted };
}

/** Where trust-on-first-use pins are kept, shared by every replica (e.g. a NATS KV bucket). */
export interface TofuPinStore {
  /** The fingerprint recorded for `key`, if any. */
  get(key: string): Promise<string | undefined>;
  /**
   * Records `fingerprint` unless one exists already. Returns the fingerprint recorded afterwards, and whether this
   * call recorded it.
   */
  recordFirst(key: string, fingerprint: string): Promise<{ fingerprint: string; recorded: boolean }>;
}

/**
 * Trust on first use for one controller (`key`, e.g. its worker id): the first certificate seen is recorded in
 * the store, later ones must match it. Two replicas meeting a controller at once agree through `recordFirst`.
 * A pin removed from the store (an operator accepting a new certificate) is recorded afresh on the next
 * connection.
 */
export function tofuPin(
  store: TofuPinStore,
  key: string,
  onRecorded?: (fingerprint: string) => void,
): CmlCertificatePin {
  let known: string | undefined;
  return async (fingerprint) => {
    if (known === fingerprint) return { accepted: true };
    const stored = (await store.get(key)) ?? (await recordFirst(fingerprint));
    if (stored !== fingerprint) return { accepted: false, expected: [stored] };
    known = stored;
    return { accepted: true };
  };

  async function recordFirst(fingerprint: string): Promise<string> {
    const outcome = await store.recordFirst(key, fingerprint);
    if (outcome.recorded) onRecorded?.(outcome.fingerprint);
    return outcome.fingerprint;
  }
}
