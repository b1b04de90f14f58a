import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type CmlServerPool,
  type CmlServerSpec,
  createCmlServerPool,
  generateCmlLabs,
} from "@cml-telemetry/fleet-sim";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createCmlClient } from "./create-cml-client.ts";
import { CmlAuthFailed, CmlBadResponse, CmlUnreachable } from "./errors.ts";
import { readCmlTelemetry } from "./read-cml-telemetry.ts";
import { secureContextFor } from "./secure-context.ts";
import type { CmlCallOutcome, CmlClient, CmlClientOptions, CmlEndpoint } from "./types.ts";

const USERNAME = "admin";
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
  it("reads full telemetry from a ready controller in one call per endpoint", async () => {
    const labs = generateCmlLabs({ count: 5, started: 2, seed: "ready" });
    const { key, endpoint } = await controller({
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
    const { key, endpoint } = await controller({ variant: "2.9.0", version: "2.9.0+build.3" });
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

  it("fails fast with CmlUnreachable when the controller is down", async () => {
    const { key, endpoint } = await controller({ mode: "down" });
    const started = performance.now();
    const error = await readCmlTelemetry(client(endpoint), { includeLicensing: true }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CmlUnreachable);
    expect(error).toMatchObject({ code: "CML_UNREACHABLE", retryable: true, endpoint: "system_information" });
    expect(performance.now() - started).toBeLessThan(1_000);
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
    const { key, endpoint } = await controller();
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
  it("200 labs cost one populate_lab_tiles call", async () => {
    const { key, endpoint } = await controller({ labs: generateCmlLabs({ count: 200, started: 17 }) });
    const telemetry = await readCmlTelemetry(client(endpoint), { includeLicensing: true });
    expect(telemetry).toMatchObject({ labsCount: 200, runningLabsCount: 17 });
    const calls = pool.calls(key);
    expect(Object.values(calls).reduce((sum, count) => sum + count, 0)).toBe(5);
  });

  it("falls back to labs + labs/{id} with bounded concurrency and remembers the fallback", async () => {
    const { key, endpoint } = await controller({
      labs: generateCmlLabs({ count: 200, started: 17 }),
      labTiles: false,
      mode: "slow",
      slowMs: 5,
    });
    const cml = client(endpoint, { labConcurrency: 4 });
    const telemetry = await readCmlTelemetry(cml, { includeLicensing: false });
    expect(telemetry).toMatchObject({ labsCount: 200, runningLabsCount: 17 });
    expect(pool.calls(key)).toMatchObject({ populate_lab_tiles: 1, labs: 1, "labs/{id}": 200 });
    // labs/{id} calls are capped at 4; system_stats may overlap with them
    expect(pool.maxInFlight(key)).toBeLessThanOrEqual(5);
    pool.resetCalls();
    await readCmlTelemetry(cml, { includeLicensing: false });
    expect(pool.calls(key).populate_lab_tiles).toBeUndefined();
  });
});
