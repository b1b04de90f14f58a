import { Agent, request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCmlServerPool } from "./cml-server-pool.ts";
import { generateCmlLabs } from "./default-spec.ts";
import type { CmlServerPool } from "./types.ts";

let clock = Date.UTC(2026, 10, 25, 12, 0, 0);
let pool: CmlServerPool;
let agent: Agent;

async function call(
  endpoint: string,
  path: string,
  init: { method?: string; token?: string; body?: unknown } = {},
) {
  const headers: Record<string, string> = {};
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  const response = await request(`${endpoint}/api/v0/${path}`, {
    method: (init.method ?? "GET") as "GET",
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    dispatcher: agent,
  });
  return {
    status: response.statusCode,
    type: response.headers["content-type"],
    text: await response.body.text(),
  };
}

async function login(endpoint: string): Promise<string> {
  const answer = await call(endpoint, "authenticate", {
    method: "POST",
    body: { username: "admin", password: "s3cret" },
  });
  expect(answer.status).toBe(200);
  return JSON.parse(answer.text) as string;
}

beforeAll(async () => {
  pool = await createCmlServerPool({
    username: "admin",
    password: "s3cret",
    tokenTtlSeconds: 60,
    now: () => clock,
  });
  agent = new Agent({ connect: { ca: pool.caCertPem } });
});

afterAll(async () => {
  await agent.close();
  await pool.close();
});

describe("simulated CML server pool over HTTPS", () => {
  it("serves each controller on its own loopback port with the pool's certificate", async () => {
    const a = await pool.add("a");
    const b = await pool.add("b", { version: "2.9.0+build.3", variant: "2.9.0" });
    expect(a.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(a.endpoint).not.toBe(b.endpoint);
    const info = await call(b.endpoint, "system_information");
    expect(info.status).toBe(200);
    expect(JSON.parse(info.text)).toMatchObject({ version: "2.9.0+build.3", ready: true });
    await expect(pool.add("a")).rejects.toThrow(/already exists/);
  });

  it("requires a valid bearer token, and tokens expire after the TTL", async () => {
    const { endpoint } = await pool.add("auth", { labs: generateCmlLabs({ count: 2, started: 1 }) });
    expect((await call(endpoint, "labs")).status).toBe(401);
    const token = await login(endpoint);
    expect(token.split(".")).toHaveLength(3);
    expect((await call(endpoint, "authok", { token })).status).toBe(200);
    const labs = await call(endpoint, "labs?show_all=true", { token });
    expect(JSON.parse(labs.text)).toHaveLength(2);
    const missing = await call(endpoint, "labs/00000000-0000-4000-8000-000000000000", { token });
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text)).toEqual({
      code: 404,
      description: "Lab not found: 00000000-0000-4000-8000-000000000000",
    });
    clock += 61_000;
    const expired = await call(endpoint, "authok", { token });
    expect(expired.status).toBe(401);
    expect(JSON.parse(expired.text)).toMatchObject({ code: 401 });
  });

  it("refuses wrong credentials and everything in bad-credentials mode with 403", async () => {
    const { endpoint } = await pool.add("creds");
    const wrong = await call(endpoint, "authenticate", {
      method: "POST",
      body: { username: "admin", password: "x" },
    });
    expect(wrong.status).toBe(403);
    pool.update("creds", { mode: "bad-credentials" });
    const refused = await call(endpoint, "authenticate", {
      method: "POST",
      body: { username: "admin", password: "s3cret" },
    });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.text)).toEqual({ code: 403, description: "Authentication failed!" });
  });

  it("answers 502 HTML while booting, truncated JSON when malformed, resets connections when down", async () => {
    const { endpoint } = await pool.add("modes");
    pool.update("modes", { mode: "booting" });
    const booting = await call(endpoint, "system_information");
    expect(booting.status).toBe(502);
    expect(booting.type).toBe("text/html");
    pool.update("modes", { mode: "malformed" });
    const malformed = await call(endpoint, "system_information");
    expect(malformed.status).toBe(200);
    expect(() => JSON.parse(malformed.text)).toThrow();
    pool.update("modes", { mode: "down" });
    await expect(call(endpoint, "system_information")).rejects.toMatchObject({ code: "ECONNRESET" });
    pool.update("modes", { mode: "up" });
    expect((await call(endpoint, "system_information")).status).toBe(200);
  });

  it("counts calls per endpoint and per controller, 404 for populate_lab_tiles when disabled", async () => {
    const { endpoint } = await pool.add("count", { labTiles: "absent" });
    pool.resetCalls();
    const token = await login(endpoint);
    expect((await call(endpoint, "populate_lab_tiles", { token })).status).toBe(404);
    await call(endpoint, "system_information");
    expect(pool.calls("count")).toEqual({ authenticate: 1, populate_lab_tiles: 1, system_information: 1 });
    expect(pool.calls().authenticate).toBe(1);
    expect(pool.get("count")?.labTiles).toBe("absent");
    await pool.remove("count");
    expect(pool.get("count")).toBeUndefined();
    await expect(call(endpoint, "system_information")).rejects.toBeInstanceOf(Error);
  });
});

describe("the real controllers' unkind habits", () => {
  it("answers populate_lab_tiles in Cisco's documented shape by default, and labs/{id}/state as a bare string", async () => {
    const labs = generateCmlLabs({ count: 3, started: 1, seed: "tiles" });
    const { endpoint } = await pool.add("tiles", { labs });
    const token = await login(endpoint);
    const tiles = JSON.parse((await call(endpoint, "populate_lab_tiles", { token })).text) as {
      lab_tiles: Record<string, Record<string, unknown>>;
    };
    expect(Object.keys(tiles.lab_tiles)).toEqual(labs.map((lab) => lab.id));
    for (const tile of Object.values(tiles.lab_tiles)) expect(tile).not.toHaveProperty("state");
    const state = await call(endpoint, `labs/${labs[0]?.id}/state`, { token });
    expect(state).toMatchObject({ status: 200, text: '"STARTED"' });
    expect(pool.calls("tiles")).toMatchObject({ populate_lab_tiles: 1, "labs/{id}/state": 1 });
    pool.update("tiles", { labTiles: "with-lab-fields" });
    const withFields = JSON.parse((await call(endpoint, "populate_lab_tiles", { token })).text) as {
      lab_tiles: Record<string, { state?: string }>;
    };
    expect(Object.values(withFields.lab_tiles).map((tile) => tile.state)).toEqual(
      labs.map((lab) => lab.state),
    );
  });

  it("trickles a body a few bytes at a time without ever pausing as long as an idle timer", async () => {
    const { endpoint } = await pool.add("trickle", { trickle: { bytesPerWrite: 8, intervalMs: 5 } });
    const expected = JSON.stringify({
      version: "2.9.1+build.7",
      ready: true,
      allow_ssh_pubkey_auth: false,
      oui: "52:54:00:00:00:00",
    });
    const response = await request(`${endpoint}/api/v0/system_information`, {
      dispatcher: agent,
      bodyTimeout: 1_000,
    });
    const chunks: Buffer[] = [];
    for await (const chunk of response.body) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe(expected);
    // Each write reaches the client on its own: the body came in many pieces, never all at once.
    expect(chunks.length).toBeGreaterThanOrEqual(Math.ceil(expected.length / 8) / 2);
  });

  it("can serve a certificate naming another host than its address, and change it", async () => {
    const named = await createCmlServerPool({
      username: "admin",
      password: "s3cret",
      certificateHost: "cml-controller.lab.example",
    });
    try {
      const { endpoint } = await named.add("named");
      const trusting = new Agent({ connect: { ca: named.caCertPem } });
      const overriding = new Agent({ connect: { ca: named.caCertPem, servername: named.certificateHost } });
      try {
        const byAddress = request(`${endpoint}/api/v0/system_information`, { dispatcher: trusting });
        await expect(byAddress).rejects.toMatchObject({ code: "ERR_TLS_CERT_ALTNAME_INVALID" });
        const byName = await request(`${endpoint}/api/v0/system_information`, { dispatcher: overriding });
        expect(byName.statusCode).toBe(200);
        await byName.body.text();
      } finally {
        await Promise.all([trusting.close(), overriding.close()]);
      }
      const before = named.certificatePem("named");
      expect(before).toBe(named.caCertPem);
      const after = await named.replaceCertificate("named");
      expect(after).not.toBe(before);
      expect(named.certificatePem("named")).toBe(after);
      const fresh = new Agent({ connect: { ca: after, servername: named.certificateHost } });
      try {
        const served = await request(`${endpoint}/api/v0/system_information`, { dispatcher: fresh });
        expect(served.statusCode).toBe(200);
        await served.body.text();
      } finally {
        await fresh.close();
      }
    } finally {
      await named.close();
    }
  });
});
