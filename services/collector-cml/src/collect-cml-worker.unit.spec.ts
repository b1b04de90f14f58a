import {
  CmlAuthFailed,
  CmlBadResponse,
  CmlBooting,
  type CmlClient,
  CmlDeadlineExceeded,
  CmlResponseTooLarge,
  CmlTlsFingerprintChanged,
  CmlUnreachable,
  type Licensing,
  type SystemInformation,
  type SystemStats,
} from "@cml-telemetry/cml-client";
import { describe, expect, it } from "vitest";
import { collectCmlWorker } from "./collect-cml-worker.ts";
import { createWorkerReadPolicy } from "./worker-read-policy.ts";

type Answer<T> = T | Error;

interface FakeAnswers {
  systemInformation: Answer<SystemInformation>;
  labs: Answer<Array<{ id: string; state: string }>>;
  stats: Answer<SystemStats>;
  licensing: Answer<Licensing>;
}

const readyInfo: SystemInformation = { version: "2.9.1+build.7", ready: true };
const stats: SystemStats = {
  computes: {
    c1: {
      hostname: "cml-controller",
      is_controller: true,
      stats: {
        cpu: { count: 4, percent: 12.5 },
        memory: { used: 25, free: 75, total: 100 },
        disk: { used: 50, free: 50, total: 100 },
        dominfo: { running_nodes: 7 },
      },
    },
  },
} as SystemStats;
const licensing = {
  registration: { status: "COMPLETED" },
  authorization: { status: "IN_COMPLIANCE" },
} as unknown as Licensing;

/** A scripted client counting calls per method. */
function fakeClient(answers: Partial<FakeAnswers> = {}) {
  const script: FakeAnswers = {
    systemInformation: readyInfo,
    labs: [
      { id: "a", state: "STARTED" },
      { id: "b", state: "STOPPED" },
    ],
    stats,
    licensing,
    ...answers,
  };
  const calls: Record<string, number> = {};
  const answer = <T>(name: string, value: Answer<T>): Promise<T> => {
    calls[name] = (calls[name] ?? 0) + 1;
    return value instanceof Error ? Promise.reject(value) : Promise.resolve(value);
  };
  const client: CmlClient = {
    apiBase: "https://127.0.0.1/api/v0",
    getSystemInformation: () => answer("system_information", script.systemInformation),
    authenticate: () => answer("authenticate", undefined),
    listLabIds: () => answer("labs", []),
    getLab: () => answer("labs/{id}", null),
    getLabState: () => answer("labs/{id}/state", null),
    getLabSummaries: async () => {
      const labs = await answer("populate_lab_tiles", script.labs);
      return labs.map((lab) => ({ ...lab, title: null, nodeCount: null }));
    },
    labReadPath: () => "tiles",
    getLicensing: () => answer("licensing", script.licensing),
    getSystemStats: () => answer("system_stats", script.stats),
    close: async () => undefined,
  };
  return { client, calls };
}

const W = "worker-1";
const collect = (
  client: CmlClient,
  policy = createWorkerReadPolicy(),
  options: { hasCredentials?: boolean; forceLicensing?: boolean } = {},
) =>
  collectCmlWorker({
    workerId: W,
    client,
    policy,
    hasCredentials: options.hasCredentials ?? true,
    forceLicensing: options.forceLicensing ?? false,
  });

describe("collectCmlWorker", () => {
  it("reads a ready controller fully, licensing included on the first collection", async () => {
    const { client, calls } = fakeClient();
    const result = await collect(client);
    expect(result).toEqual({
      kind: "metrics",
      telemetry: {
        ready: true,
        version: "2.9.1+build.7",
        labsCount: 2,
        runningLabsCount: 1,
        licenseStatus: "REGISTERED",
        cpuPercent: 12.5,
        memoryUsedPercent: 25,
        diskUsedPercent: 50,
        runningNodes: 7,
        systemInfo: readyInfo,
      },
    });
    expect(calls).toEqual({ system_information: 1, populate_lab_tiles: 1, system_stats: 1, licensing: 1 });
  });

  it("serves the cached licensing status on later collections (three calls in steady state)", async () => {
    const { client, calls } = fakeClient();
    const policy = createWorkerReadPolicy();
    await collect(client, policy);
    const second = await collect(client, policy);
    expect(second.kind === "metrics" && second.telemetry.licenseStatus).toBe("REGISTERED");
    expect(calls).toEqual({ system_information: 2, populate_lab_tiles: 2, system_stats: 2, licensing: 1 });
  });

  it("turns a 502 on the probe and ready:false into a not-ready observation without authenticated calls", async () => {
    const booting = fakeClient({ systemInformation: new CmlBooting("502", "system_information", 502) });
    expect(await collect(booting.client)).toMatchObject({
      kind: "metrics",
      telemetry: { ready: false, version: null },
    });
    const unready = fakeClient({ systemInformation: { version: "2.9.1", ready: false } });
    expect(await collect(unready.client)).toMatchObject({
      kind: "metrics",
      telemetry: { ready: false, version: "2.9.1", labsCount: null, systemInfo: { ready: false } },
    });
    expect(booting.calls).toEqual({ system_information: 1 });
    expect(unready.calls).toEqual({ system_information: 1 });
  });

  it("reports a 502 that arrives after the probe as CmlBooting", async () => {
    const { client } = fakeClient({ stats: new CmlBooting("502", "system_stats", 502) });
    expect(await collect(client)).toEqual({
      kind: "failed",
      errorType: "CmlBooting",
      errorMessage: "502",
      retryable: true,
    });
  });

  it("names the error class for unreachable controllers and bad responses", async () => {
    const down = fakeClient({
      systemInformation: new CmlUnreachable("connect ECONNREFUSED", "system_information", "refused"),
    });
    expect(await collect(down.client)).toMatchObject({
      kind: "failed",
      errorType: "CmlUnreachable",
      retryable: true,
    });
    const malformed = fakeClient({ labs: new CmlBadResponse("not JSON", "populate_lab_tiles", 200) });
    expect(await collect(malformed.client)).toMatchObject({
      kind: "failed",
      errorType: "CmlBadResponse",
      retryable: false,
    });
  });

  it("gives the later failure kinds their stable snake_case types", async () => {
    const slow = fakeClient({
      stats: new CmlDeadlineExceeded("no answer in 10000 ms", "system_stats"),
    });
    expect(await collect(slow.client)).toMatchObject({ errorType: "deadline_exceeded", retryable: true });
    const huge = fakeClient({ labs: new CmlResponseTooLarge("too large", "labs") });
    expect(await collect(huge.client)).toMatchObject({ errorType: "response_too_large", retryable: false });
    const changed = fakeClient({
      systemInformation: new CmlTlsFingerprintChanged("not pinned", "system_information", "b".repeat(64), [
        "a".repeat(64),
      ]),
    });
    expect(await collect(changed.client)).toMatchObject({
      kind: "failed",
      errorType: "tls_fingerprint_changed",
      retryable: false,
    });
  });

  it("after rejected credentials only probes until the backoff allows another authentication", async () => {
    const { client, calls } = fakeClient({ stats: new CmlAuthFailed("rejected (403)", "authenticate", 403) });
    const policy = createWorkerReadPolicy();
    expect(await collect(client, policy)).toMatchObject({
      kind: "failed",
      errorType: "CmlAuthFailed",
      retryable: false,
    });
    const backedOff = await collect(client, policy);
    expect(backedOff).toMatchObject({ kind: "failed", errorType: "CmlAuthFailed", retryable: false });
    expect(backedOff.kind === "failed" && backedOff.errorMessage).toMatch(/paused/);
    expect(calls.system_information).toBe(2);
    expect(calls.system_stats).toBe(1);
  });

  it("reports a booting controller as not ready even while authentication is backed off", async () => {
    const { client } = fakeClient({ systemInformation: new CmlBooting("502", "system_information", 502) });
    const policy = createWorkerReadPolicy();
    policy.recordAuthFailure(W);
    expect(await collect(client, policy)).toMatchObject({ kind: "metrics", telemetry: { ready: false } });
  });

  it("without configured credentials publishes the probe only", async () => {
    const { client, calls } = fakeClient();
    expect(await collect(client, createWorkerReadPolicy(), { hasCredentials: false })).toMatchObject({
      kind: "metrics",
      telemetry: { ready: true, version: "2.9.1+build.7", labsCount: null, licenseStatus: null },
    });
    expect(calls).toEqual({ system_information: 1 });
  });

  it("re-reads licensing on a refresh", async () => {
    const { client, calls } = fakeClient();
    const policy = createWorkerReadPolicy();
    await collect(client, policy);
    await collect(client, policy, { forceLicensing: true });
    expect(calls.licensing).toBe(2);
  });
});
