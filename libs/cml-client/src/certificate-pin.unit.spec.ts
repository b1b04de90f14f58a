import { describe, expect, it } from "vitest";
import { fixedFingerprintPin, normalizeFingerprint, tofuPin } from "./certificate-pin.ts";
import { createMemoryTofuPinStore as memoryStore } from "./testing/memory-tofu-pin-store.ts";

const A = "ab".repeat(32);
const B = "cd".repeat(32);
const colons = (hex: string) => (hex.toUpperCase().match(/../g) ?? []).join(":");

describe("certificate fingerprints", () => {
  it("reads the forms openssl and browsers print", () => {
    expect(normalizeFingerprint(colons(A))).toBe(A);
    expect(normalizeFingerprint(`SHA256 Fingerprint=${colons(A)}`)).toBe(A);
    expect(normalizeFingerprint(`sha256/${A.toUpperCase()}`)).toBe(A);
    expect(() => normalizeFingerprint("AB:CD")).toThrow(RangeError);
    expect(() => normalizeFingerprint("tofu")).toThrow(RangeError);
  });

  it("a fixed pin accepts exactly its fingerprints", () => {
    const pin = fixedFingerprintPin([colons(A), A]);
    expect(pin(A)).toEqual({ accepted: true });
    expect(pin(B)).toEqual({ accepted: false, expected: [A] });
    expect(() => fixedFingerprintPin([])).toThrow(RangeError);
  });
});

describe("trust on first use", () => {
  it("records the first fingerprint once, then accepts it and refuses another", async () => {
    const store = memoryStore();
    const recorded: string[] = [];
    const pin = tofuPin(store, "w1", (fingerprint) => recorded.push(fingerprint));
    expect(await pin(A)).toEqual({ accepted: true });
    expect(await pin(A)).toEqual({ accepted: true });
    expect(await pin(B)).toEqual({ accepted: false, expected: [A] });
    expect(recorded).toEqual([A]);
    expect(store.pins.get("w1")).toBe(A);
  });

  it("two replicas meeting different certificates at once agree on the one recorded first", async () => {
    const store = memoryStore();
    const [first, second] = await Promise.all([tofuPin(store, "w1")(A), tofuPin(store, "w1")(B)]);
    expect(first).toEqual({ accepted: true });
    expect(second).toEqual({ accepted: false, expected: [A] });
  });

  it("keeps pins per key, and records afresh when an operator removed the pin", async () => {
    const store = memoryStore({ w1: A });
    const pin = tofuPin(store, "w1");
    expect(await tofuPin(store, "w2")(B)).toEqual({ accepted: true });
    expect(await pin(B)).toEqual({ accepted: false, expected: [A] });
    store.pins.delete("w1");
    expect(await pin(B)).toEqual({ accepted: true });
    expect(await pin(A)).toEqual({ accepted: false, expected: [B] });
  });
});
