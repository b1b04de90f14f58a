import type { TofuPinStore } from "../certificate-pin.ts";

/** A {@link TofuPinStore} in memory, as every replica sees a shared store: whatever is recorded first stays. */
export function createMemoryTofuPinStore(
  initial: Record<string, string> = {},
): TofuPinStore & { readonly pins: Map<string, string> } {
  const pins = new Map(Object.entries(initial));
  return {
    pins,
    get: async (key) => pins.get(key),
    recordFirst: async (key, fingerprint) => {
      const known = pins.get(key);
      if (known !== undefined) return { fingerprint: known, recorded: false };
      pins.set(key, fingerprint);
      return { fingerprint, recorded: true };
    },
  };
}
