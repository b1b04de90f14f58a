import { X509Certificate } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import {
  type CmlServerPool,
  type CmlServerSpec,
  createCmlServerPool,
  generateCmlLabs,
} from "@cml-telemetry/fleet-sim";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { fixedFingerprintPin, normalizeFingerprint, type TofuPinStore, tofuPin } from "./certificate-pin.ts";
import { createCmlClient } from "./create-cml-client.ts";
import {
  CmlAuthFailed,
  CmlBadResponse,
  CmlDeadlineExceeded,
  CmlResponseTooLarge,
  CmlTlsFingerprintChanged,
  CmlUnreachable,
} from "./errors.ts";
import { readCmlTelemetry } from "./read-cml-telemetry.ts";
import { secureContextFor } from "./secure-context.ts";
import { createMemoryTofuPinStore } from "./testing/memory-tofu-pin-store.ts";
import type { CmlCallOutcome, CmlClient, CmlClientOptions, CmlEndpoint } from "./types.ts";

/** A full garbage collection, as happens between two collection cycles a minute apart. */
setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

/** Resets the controller's open connections, as a controller closing idle ones does, and lets the client see it. */
async function dropConnections(key: string): Promise<void> {
  pool.update(key, { mode: "down" });
  pool.update(key, { mode: "up" });
  // The reset reaches the client's socket over loopback at once; a moment lets its pool drop the connection.
  await delay(100);
}

const USERNAME = "admin";
/** Controllers that add the lab fields to their tiles (the fast path works). */
const TILES_WITH_STATE = { labTiles: "with-lab-fields" } as const;
const PASSWORD = "pa55-never-logged";
let clock = Date.UTC(2026, 10, 25, 12, 0, 0);
let pool: CmlServerPool;
let tmp: string;
const clients: CmlClient[] = [];
let serial = 0;

async function controller(spec: Partial<CmlServerSpec> = {}): Promise<{ key: string; endpoint: string }> {
  serial += 1;
  const key = `worker-${serial}`;
  const { endpoint } = await pool.add(key, spec);
  return { key, endpoint };
}

/** The error a call rejects with (or its value). */
const caught = (call: Promise<unknown>): Promise<unknown> => call.catch((e: unknown) => e);

function client(endpoint: string, options: Partial<CmlClientOptions> = {}): CmlClient {
  const created = createCmlClient({
    baseUrl: endpoint,
    username: USERNAME,
    password: PASSWORD,
    caPem: pool.caCertPem,
    ...options,
  });
  clients.push(created);
  return created;
}

beforeAll(async () => {
  pool = await createCmlServerPool({
    username: USERNAME,
    password: PASSWORD,
    tokenTtlSeconds: 3600,
    now: () => clock,
  });
  tmp = await mkdtemp(join(tmpdir(), "cml-client-"));
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((created) => created.close()));
});

afterAll(async () => {
  await pool.close();
  await rm(tmp, { recursive: true, force: true });
});

describe("readCmlTelemetry against simulated controllers over HTTPS", () => {
  it("reads full telemetry from a ready controller in one call per endpoint when tiles carry lab states", async () => {
    const labs = generateCmlLabs({ count: 5, started: 2, seed: "ready" });
    const { key, endpoint } = await controller({
      ...TILES_WITH_STATE,
      labs,
      version: "2.9.1+build.7",
      license: { registration: "COMPLETED", authorization: "IN_COMPLIANCE" },
      cpuPercent: 12.5,
      memoryUsedPercent: 40,
      diskUsedPercent: 55.5,
      runningNodes: 9,
      computeCount: 2,
    });
    const calls: Array<[CmlEndpoint, CmlCallOutcome]> = [];
    const cml = client(endpoint, { onCall: (name, outcome) => calls.push([name, outcome]) });

    const telemetry = await readCmlTelemetry(cml, { includeLicensing: true });

    expect(telemetry).toEqual({
      ready: true,
      version: "2.9.1+build.7",
      labsCount: 5,
      runningLabsCount: 2,
      licenseStatus: "REGISTERED",
      cpuPercent: 12.5,
      memoryUsedPercent: 40,
      diskUsedPercent: 55.5,
      runningNodes: 9,
      systemInfo: {
        version: "2.9.1+build.7",
        ready: true,
        allow_ssh_pubkey_auth: false,
        oui: "52:54:00:00:00:00",
      },
    });
    expect(pool.calls(key)).toEqual({
      system_information: 1,
      authenticate: 1,
      populate_lab_tiles: 1,
      system_stats: 1,
      licensing: 1,
    });
    expect(calls).toContainEqual(["authenticate", "ok"]);
    expect(calls).toHaveLength(5);
  });

  it("reuses the cached token on the next read (0 authentications) and skips licensing when not asked", async () => {
    const { key, endpoint } = await controller({
      ...TILES_WITH_STATE,
      variant: "2.9.0",
      version: "2.9.0+build.3",
    });
    const cml = client(endpoint);
    await readCmlTelemetry(cml, { includeLicensing: true });
    pool.resetCalls();
    const second = await readCmlTelemetry(cml, { includeLicensing: false });
    expect(second.licenseStatus).toBeNull();
    expect(second.memoryUsedPercent).toBe(16.67);
    expect(pool.calls(key)).toEqual({ system_information: 1, populate_lab_tiles: 1, system_stats: 1 });
  });

  it("reports a booting controller (502) as not ready without any authenticated call", async () => {
    const { key, endpoint } = await controller({ mode: "booting" });
    const telemetry = await readCmlTelemetry(client(endpoint), { includeLicensing: true });
    expect(telemetry).toMatchObject({ ready: false, version: null, labsCount: null, systemInfo: null });
    expect(pool.calls(key)).toEqual({ system_information: 1 });
  });

  it("reports ready=false as data (version and raw info kept) without authenticating", async () => {
    const { key, endpoint } = await controller({ ready: false, version: "2.9.1+build.7" });
    const telemetry = await readCmlTelemetry(client(endpoint), { includeLicensing: true });
    expect(telemetry).toMatchObject({ ready: false, version: "2.9.1+build.7", runningNodes: null });
    expect(telemetry.systemInfo).toMatchObject({ ready: false });
    expect(pool.calls(key)).toEqual({ system_information: 1 });
  });

  it("fails at once with CmlUnreachable (refused, not a timer) when the controller is down", async () => {
    const { key, endpoint } = await controller({ mode: "down" });
    // Timers far beyond the test's own timeout: only the reset itself can end this read.
    const patient = { connectTimeoutMs: 600_000, readTimeoutMs: 600_000, deadlineMs: 600_000 };
    const error = await readCmlTelemetry(client(endpoint, patient), { includeLicensing: true }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CmlUnreachable);
    expect(error).toMatchObject({
      code: "CML_UNREACHABLE",
      retryable: true,
      endpoint: "system_information",
      reason: "refused",
    });
    expect(pool.calls(key)).toEqual({});
  });

  it("raises CmlAuthFailed after exactly one authenticate call on bad credentials", async () => {
    const { key, endpoint } = await controller({ mode: "bad-credentials" });
    const error = await readCmlTelemetry(client(endpoint), { includeLicensing: true }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CmlAuthFailed);
    expect(error).toMatchObject({ code: "CML_AUTH_FAILED", retryable: false, status: 403 });
    expect(String((error as Error).message)).not.toContain(PASSWORD);
    expect(pool.calls(key).authenticate).toBe(1);
  });

  it("re-authenticates exactly once when the token has expired, even with parallel calls", async () => {
    const { key, endpoint } = await controller(TILES_WITH_STATE);
    const cml = client(endpoint);
    await readCmlTelemetry(cml, { includeLicensing: true });
    pool.resetCalls();
    clock += 3_601_000;
    const telemetry = await readCmlTelemetry(cml, { includeLicensing: true });
    expect(telemetry.ready).toBe(true);
    const calls = pool.calls(key);
    expect(calls.authenticate).toBe(1);
    expect(calls.populate_lab_tiles).toBe(2);
    expect(calls.system_stats).toBe(2);
    expect(calls.licensing).toBe(2);
  });

  it("shares one in-flight authentication between concurrent reads of a fresh client", async () => {
    const { key, endpoint } = await controller();
    const cml = client(endpoint);
    await Promise.all([
      readCmlTelemetry(cml, { includeLicensing: true }),
      readCmlTelemetry(cml, { includeLicensing: true }),
    ]);
    expect(pool.calls(key).authenticate).toBe(1);
  });

  it("raises CmlBadResponse on malformed JSON", async () => {
    const { endpoint } = await controller({ mode: "malformed" });
    const error = await readCmlTelemetry(client(endpoint), { includeLicensing: true }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CmlBadResponse);
    expect((error as CmlBadResponse).cause).toBeInstanceOf(SyntaxError);
  });

  it("raises CmlUnreachable(read-timeout) when a slow controller exceeds the read timeout", async () => {
    const { endpoint } = await controller({ mode: "slow", slowMs: 1_500 });
    const error = await client(endpoint, { readTimeoutMs: 200 })
      .getSystemInformation()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CmlUnreachable);
    expect((error as CmlUnreachable).reason).toBe("read-timeout");
  });

  it("keeps a slow controller within the timeout readable", async () => {
    const { endpoint } = await controller({ mode: "slow", slowMs: 50 });
    expect((await readCmlTelemetry(client(endpoint), { includeLicensing: false })).ready).toBe(true);
  });
});

describe("TLS policy per client", () => {
  it("rejects the self-signed certificate with verification on and no CA", async () => {
    const { endpoint } = await controller();
    const error = await client(endpoint, { caPem: undefined })
      .getSystemInformation()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CmlUnreachable);
    expect((error as CmlUnreachable).reason).toBe("tls");
  });

  it("accepts it with caPem, with caFile, and with verifyTls false", async () => {
    const { endpoint } = await controller();
    const caFile = join(tmp, "ca.pem");
    await writeFile(caFile, pool.caCertPem);
    for (const options of [{}, { caPem: undefined, caFile }, { caPem: undefined, verifyTls: false }]) {
      expect((await client(endpoint, options).getSystemInformation()).ready).toBe(true);
    }
    // Every connection trusting that bundle shares one TLS context.
    expect(secureContextFor(pool.caCertPem)).toBe(secureContextFor(`${pool.caCertPem}`));
  });

  it("leaves the process-wide TLS setting alone", async () => {
    const { endpoint } = await controller();
    await client(endpoint, { caPem: undefined, verifyTls: false }).getSystemInformation();
    expect(process.env.NODE_TLS_REJECT_UNAUTHORIZED).toBeUndefined();
    const strict = await client(endpoint, { caPem: undefined })
      .getSystemInformation()
      .catch((e: unknown) => e);
    expect(strict).toBeInstanceOf(CmlUnreachable);
  });
});

describe("auth edge cases", () => {
  it("turns a persistent 401 into CmlAuthFailed after a single re-authentication", async () => {
    const zeroTtl = await createCmlServerPool({ username: USERNAME, password: PASSWORD, tokenTtlSeconds: 0 });
    try {
      const { endpoint } = await zeroTtl.add("always-expired");
      const error = await client(endpoint, { caPem: zeroTtl.caCertPem })
        .getSystemStats()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CmlAuthFailed);
      expect(error).toMatchObject({ status: 401, endpoint: "system_stats" });
      expect(zeroTtl.calls("always-expired")).toEqual({ authenticate: 2, system_stats: 2 });
    } finally {
      await zeroTtl.close();
    }
  });
});

describe("labs at scale", () => {
  it("200 labs cost one populate_lab_tiles call when every tile carries its state", async () => {
    const { key, endpoint } = await controller({
      ...TILES_WITH_STATE,
      labs: generateCmlLabs({ count: 200, started: 17 }),
    });
    const cml = client(endpoint);
    const telemetry = await readCmlTelemetry(cml, { includeLicensing: true });
    expect(telemetry).toMatchObject({ labsCount: 200, runningLabsCount: 17 });
    const calls = pool.calls(key);
    expect(Object.values(calls).reduce((sum, count) => sum + count, 0)).toBe(5);
    expect(cml.labReadPath()).toBe("tiles");
  });

  it("falls back to labs + labs/{id}/state with bounded concurrency when populate_lab_tiles is absent", async () => {
    const { key, endpoint } = await controller({
      labs: generateCmlLabs({ count: 200, started: 17 }),
      labTiles: "absent",
      mode: "slow",
      slowMs: 5,
    });
    const cml = client(endpoint, { labConcurrency: 4 });
    const telemetry = await readCmlTelemetry(cml, { includeLicensing: false });
    expect(telemetry).toMatchObject({ labsCount: 200, runningLabsCount: 17 });
    expect(pool.calls(key)).toMatchObject({ populate_lab_tiles: 1, labs: 1, "labs/{id}/state": 200 });
    expect(pool.calls(key)["labs/{id}"]).toBeUndefined();
    // labs/{id}/state calls are capped at 4; system_stats may overlap with them
    expect(pool.maxInFlight(key)).toBeLessThanOrEqual(5);
    pool.resetCalls();
    await readCmlTelemetry(cml, { includeLicensing: false });
    expect(pool.calls(key).populate_lab_tiles).toBeUndefined();
  });
});

describe("one TLS connection per controller", () => {
  it("pipelines the lab states of a read on one connection, and resumes its TLS session on the next", async () => {
    const { key, endpoint } = await controller({
      labs: generateCmlLabs({ count: 12, started: 3, seed: "pipelined" }),
      labTiles: "absent",
    });
    const cml = client(endpoint, { labConcurrency: 4 });
    expect(await readCmlTelemetry(cml, { includeLicensing: true })).toMatchObject({ runningLabsCount: 3 });
    expect(pool.calls(key)["labs/{id}/state"]).toBe(12);
    expect(pool.connections(key)).toEqual({ opened: 1, resumed: 0 });
    // The connection goes (a controller closes idle ones), and a collection cycle's worth of garbage is collected.
    await dropConnections(key);
    collectGarbage();
    pool.resetCalls();
    expect(await readCmlTelemetry(cml, { includeLicensing: false })).toMatchObject({ runningLabsCount: 3 });
    expect(pool.connections(key)).toEqual({ opened: 1, resumed: 1 });
  });

  it("never resumes a session when the certificate is pinned: every connection shows it", async () => {
    const { key, endpoint } = await controller();
    const fingerprint = new X509Certificate(pool.certificatePem(key)).fingerprint256;
    const cml = client(endpoint, { pin: fixedFingerprintPin([fingerprint]) });
    await cml.getSystemInformation();
    await dropConnections(key);
    collectGarbage();
    await cml.getSystemInformation();
    expect(pool.connections(key)).toEqual({ opened: 2, resumed: 0 });
  });
});

describe('populate_lab_tiles is only a fast path (Cisco: "Do not use")', () => {
  it("reads labs through the documented calls when tiles have Cisco's documented shape, stats and licensing included", async () => {
    const labs = generateCmlLabs({ count: 6, started: 2, seed: "documented" });
    const { key, endpoint } = await controller({ labs, labTiles: "documented" });
    const paths: string[] = [];
    const cml = client(endpoint, { onLabPath: (path) => paths.push(path) });
    const telemetry = await readCmlTelemetry(cml, { includeLicensing: true });
    expect(telemetry).toMatchObject({
      ready: true,
      labsCount: 6,
      runningLabsCount: 2,
      licenseStatus: "REGISTERED",
      cpuPercent: 4.17,
    });
    expect(pool.calls(key)).toEqual({
      system_information: 1,
      authenticate: 1,
      populate_lab_tiles: 1,
      labs: 1,
      "labs/{id}/state": 6,
      system_stats: 1,
      licensing: 1,
    });
    expect(paths).toEqual(["documented"]);
    pool.resetCalls();
    await readCmlTelemetry(cml, { includeLicensing: false });
    expect(pool.calls(key)).toEqual({
      system_information: 1,
      labs: 1,
      "labs/{id}/state": 6,
      system_stats: 1,
    });
  });

  it("falls back as soon as one tile lacks a state, and tries tiles again after a version change", async () => {
    const labs = generateCmlLabs({ count: 4, started: 1, seed: "mixed" });
    const { key, endpoint } = await controller({ labs, ...TILES_WITH_STATE });
    const cml = client(endpoint);
    expect((await readCmlTelemetry(cml, { includeLicensing: false })).labsCount).toBe(4);
    expect(cml.labReadPath()).toBe("tiles");
    pool.update(key, { labTiles: "documented" });
    pool.resetCalls();
    const telemetry = await readCmlTelemetry(cml, { includeLicensing: false });
    expect(telemetry).toMatchObject({ labsCount: 4, runningLabsCount: 1 });
    expect(pool.calls(key)).toMatchObject({ populate_lab_tiles: 1, labs: 1, "labs/{id}/state": 4 });
    expect(cml.labReadPath()).toBe("documented");
    pool.update(key, { version: "2.9.2+build.1", ...TILES_WITH_STATE });
    pool.resetCalls();
    await readCmlTelemetry(cml, { includeLicensing: false });
    expect(pool.calls(key)).toMatchObject({ populate_lab_tiles: 1 });
    expect(pool.calls(key).labs).toBeUndefined();
    expect(cml.labReadPath()).toBe("tiles");
  });

  it("falls back when the tiles answer is larger than the client reads", async () => {
    const { key, endpoint } = await controller({
      ...TILES_WITH_STATE,
      labs: generateCmlLabs({ count: 40, started: 3, seed: "large" }),
    });
    const telemetry = await readCmlTelemetry(client(endpoint, { maxResponseBytes: 8_192 }), {
      includeLicensing: false,
    });
    expect(telemetry).toMatchObject({ labsCount: 40, runningLabsCount: 3 });
    expect(pool.calls(key)).toMatchObject({ populate_lab_tiles: 1, labs: 1, "labs/{id}/state": 40 });
  });
});

describe("every call has an overall deadline and a bounded size", () => {
  it("a controller trickling its answer byte by byte, never idle long enough for the idle timer, fails at the deadline", async () => {
    const { endpoint } = await controller({ trickle: { bytesPerWrite: 1, intervalMs: 100 } });
    const error = await caught(
      client(endpoint, { readTimeoutMs: 2_000, deadlineMs: 1_000 }).getSystemInformation(),
    );
    expect(error).toBeInstanceOf(CmlDeadlineExceeded);
    expect(error).toMatchObject({
      errorType: "deadline_exceeded",
      retryable: true,
      endpoint: "system_information",
    });
    expect((error as Error).message).toContain("within 1000 ms");
  });

  it("a controller trickling within the deadline is read completely", async () => {
    const { endpoint } = await controller({ trickle: { bytesPerWrite: 16, intervalMs: 1 } });
    const telemetry = await readCmlTelemetry(client(endpoint), { includeLicensing: true });
    expect(telemetry).toMatchObject({ ready: true, labsCount: 3, licenseStatus: "REGISTERED" });
  });

  it("an answer larger than the bound fails with CmlResponseTooLarge", async () => {
    const { endpoint } = await controller({ computeCount: 8 });
    const error = await caught(client(endpoint, { maxResponseBytes: 1_024 }).getSystemStats());
    expect(error).toBeInstanceOf(CmlResponseTooLarge);
    expect(error).toMatchObject({ errorType: "response_too_large", retryable: false });
    expect((error as Error).message).toContain("larger than 1024 bytes");
  });
});

describe("TLS for controllers whose certificate names another host", () => {
  let named: CmlServerPool;
  const fingerprintOf = (pem: string) => new X509Certificate(pem).fingerprint256;

  beforeAll(async () => {
    named = await createCmlServerPool({
      username: USERNAME,
      password: PASSWORD,
      certificateHost: "cml-controller.lab.example",
    });
  });
  afterAll(async () => {
    await named.close();
  });

  async function namedController(key: string): Promise<string> {
    return (await named.add(key)).endpoint;
  }

  it("is refused by name with CA verification alone, and accepted with the server-name override", async () => {
    const endpoint = await namedController("override");
    const byAddress = await caught(client(endpoint, { caPem: named.caCertPem }).getSystemInformation());
    expect(byAddress).toMatchObject({ reason: "tls" });
    const byName = client(endpoint, { caPem: named.caCertPem, serverName: named.certificateHost });
    expect((await readCmlTelemetry(byName, { includeLicensing: true })).ready).toBe(true);
  });

  it("a fixed fingerprint pin accepts the pinned certificate (no CA, no name) and refuses any other before sending anything", async () => {
    const endpoint = await namedController("fixed");
    const pinned = fingerprintOf(named.certificatePem("fixed"));
    const cml = client(endpoint, { caPem: undefined, pin: fixedFingerprintPin([pinned]) });
    expect((await readCmlTelemetry(cml, { includeLicensing: true })).ready).toBe(true);

    named.resetCalls();
    const other = "00".repeat(32);
    const error = await caught(
      client(endpoint, { caPem: undefined, pin: fixedFingerprintPin([other]) }).getSystemInformation(),
    );
    expect(error).toBeInstanceOf(CmlTlsFingerprintChanged);
    expect(error).toMatchObject({
      errorType: "tls_fingerprint_changed",
      retryable: false,
      endpoint: "system_information",
      fingerprint: normalizeFingerprint(pinned),
      expected: [other],
    });
    expect(named.calls("fixed")).toEqual({});
  });

  it("trust on first use records the first certificate and refuses a changed one until the pin is removed", async () => {
    const endpoint = await namedController("tofu");
    const store = createMemoryTofuPinStore();
    const { pins } = store;
    const recorded: string[] = [];
    const first = client(endpoint, {
      caPem: undefined,
      pin: tofuPin(store, "worker-tofu", (f) => recorded.push(f)),
    });
    expect((await readCmlTelemetry(first, { includeLicensing: false })).ready).toBe(true);
    expect(recorded).toEqual([normalizeFingerprint(fingerprintOf(named.certificatePem("tofu")))]);

    // A restarted replica (a new client, the same store) accepts the same certificate without recording again.
    const restarted = client(endpoint, { caPem: undefined, pin: tofuPin(store, "worker-tofu") });
    expect((await restarted.getSystemInformation()).ready).toBe(true);

    const replaced = await named.replaceCertificate("tofu");
    named.resetCalls();
    const fresh = client(endpoint, { caPem: undefined, pin: tofuPin(store, "worker-tofu") });
    const error = await caught(fresh.getSystemInformation());
    expect(error).toBeInstanceOf(CmlTlsFingerprintChanged);
    expect(error).toMatchObject({ fingerprint: normalizeFingerprint(fingerprintOf(replaced)) });
    expect(named.calls("tofu")).toEqual({});

    pins.delete("worker-tofu");
    expect((await fresh.getSystemInformation()).ready).toBe(true);
    expect(pins.get("worker-tofu")).toBe(normalizeFingerprint(fingerprintOf(replaced)));
  });

  it("refuses the connection when the pin store cannot answer", async () => {
    const endpoint = await namedController("store-down");
    const broken: TofuPinStore = {
      get: async () => {
        throw new Error("no responders");
      },
      recordFirst: async () => {
        throw new Error("no responders");
      },
    };
    const error = await caught(
      client(endpoint, { caPem: undefined, pin: tofuPin(broken, "w") }).getSystemInformation(),
    );
    expect(error).toBeInstanceOf(CmlUnreachable);
    expect(error).toMatchObject({ reason: "tls" });
    expect((error as Error).message).toContain("pin could not be checked");
    expect(named.calls("store-down")).toEqual({});
  });
});
