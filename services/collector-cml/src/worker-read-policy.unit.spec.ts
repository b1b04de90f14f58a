import { describe, expect, it } from "vitest";
import { createWorkerReadPolicy } from "./worker-read-policy.ts";

const W = "worker-a";

function authAttempts(policy: ReturnType<typeof createWorkerReadPolicy>, cycles: number, fails: boolean) {
  const attempts: boolean[] = [];
  for (let cycle = 0; cycle < cycles; cycle += 1) {
    const plan = policy.plan(W, { forceLicensing: false });
    attempts.push(plan.authenticate);
    if (plan.authenticate && fails) policy.recordAuthFailure(W);
  }
  return attempts;
}

describe("createWorkerReadPolicy", () => {
  it("authenticates every collection while credentials are accepted", () => {
    const policy = createWorkerReadPolicy();
    expect(authAttempts(policy, 5, false)).toEqual([true, true, true, true, true]);
  });

  it("after rejected credentials skips 1, 2, 4, … collections before trying again", () => {
    const policy = createWorkerReadPolicy();
    expect(authAttempts(policy, 11, true)).toEqual([
      true,
      false,
      true,
      false,
      false,
      true,
      false,
      false,
      false,
      false,
      true,
    ]);
  });

  it("caps the skips and resets the backoff after an accepted authentication", () => {
    const policy = createWorkerReadPolicy({ maxAuthSkips: 3 });
    for (let failure = 0; failure < 6; failure += 1)
      expect(policy.recordAuthFailure(W)).toBeLessThanOrEqual(3);
    expect(policy.plan(W, { forceLicensing: false }).authSkipsLeft).toBe(2);
    policy.recordAuthSuccess(W);
    expect(policy.plan(W, { forceLicensing: false }).authenticate).toBe(true);
  });

  it("reads licensing first, then only when the cached status is older than the max age or a refresh asks", () => {
    let now = 1_000_000;
    const policy = createWorkerReadPolicy({ licensingMaxAgeMs: 60_000, now: () => now });
    expect(policy.plan(W, { forceLicensing: false })).toMatchObject({
      includeLicensing: true,
      cachedLicenseStatus: null,
    });
    policy.recordLicenseStatus(W, "REGISTERED");
    now += 59_999;
    expect(policy.plan(W, { forceLicensing: false })).toMatchObject({
      includeLicensing: false,
      cachedLicenseStatus: "REGISTERED",
    });
    expect(policy.plan(W, { forceLicensing: true }).includeLicensing).toBe(true);
    now += 1;
    expect(policy.plan(W, { forceLicensing: false }).includeLicensing).toBe(true);
  });

  it("never reads licensing while authentication is backed off", () => {
    const policy = createWorkerReadPolicy();
    policy.recordAuthFailure(W);
    expect(policy.plan(W, { forceLicensing: true })).toMatchObject({
      authenticate: false,
      includeLicensing: false,
    });
  });

  it("forgets a worker entirely", () => {
    const policy = createWorkerReadPolicy();
    policy.recordAuthFailure(W);
    policy.recordLicenseStatus(W, "EXPIRED");
    policy.forget(W);
    expect(policy.size()).toBe(0);
    expect(policy.plan(W, { forceLicensing: false })).toMatchObject({
      authenticate: true,
      includeLicensing: true,
      cachedLicenseStatus: null,
    });
  });

  it("starts from the shared worker state's license status instead of reading licensing on first sight", () => {
    let now = 0;
    const policy = createWorkerReadPolicy({ licensingMaxAgeMs: 600_000, now: () => now });
    expect(policy.plan("w1", { forceLicensing: false, knownLicenseStatus: "REGISTERED" })).toMatchObject({
      includeLicensing: false,
      cachedLicenseStatus: "REGISTERED",
    });
    expect(policy.plan("w2", { forceLicensing: false, knownLicenseStatus: null }).includeLicensing).toBe(
      true,
    );
    expect(
      policy.plan("w1", { forceLicensing: true, knownLicenseStatus: "REGISTERED" }).includeLicensing,
    ).toBe(true);
    now = 600_000;
    expect(
      policy.plan("w1", { forceLicensing: false, knownLicenseStatus: "REGISTERED" }).includeLicensing,
    ).toBe(true);
  });
});
