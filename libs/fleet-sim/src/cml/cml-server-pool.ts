import { simIdentity } from "./cml-responses.ts";
import { type CmlSimServer, startCmlSimServer } from "./cml-sim-server.ts";
import { defaultCmlServerSpec } from "./default-spec.ts";
import { generateSimCertificate } from "./tls-certificate.ts";
import type { CmlServerPool, CmlServerPoolOptions } from "./types.ts";

const DEFAULT_TOKEN_TTL_SECONDS = 24 * 60 * 60;

/**
 * Starts a pool of simulated CML controllers. One self-signed certificate is generated for the pool (SAN
 * `127.0.0.1` and `localhost`, or only `certificateHost` when given); each added controller is its own HTTPS server
 * on a loopback port.
 *
 * @example
 * const pool = await createCmlServerPool({ username: "admin", password: "secret" });
 * const { endpoint } = await pool.add("worker-1", { labs: generateCmlLabs({ count: 10, started: 2 }) });
 * pool.update("worker-1", { mode: "booting" });
 */
export async function createCmlServerPool(options: CmlServerPoolOptions): Promise<CmlServerPool> {
  const now = options.now ?? Date.now;
  const tls = await generateSimCertificate(new Date(now()), options.certificateHost);
  const servers = new Map<string, CmlSimServer>();
  const starting = new Set<string>();

  const serverOf = (key: string): CmlSimServer => {
    const server = servers.get(key);
    if (!server) throw new Error(`no simulated CML server "${key}"`);
    return server;
  };

  return {
    caCertPem: tls.certPem,
    certificateHost: options.certificateHost ?? "localhost",
    certificatePem: (key) => serverOf(key).certificatePem(),

    async replaceCertificate(key) {
      const server = serverOf(key);
      const fresh = await generateSimCertificate(new Date(now()), options.certificateHost);
      server.replaceTls(fresh);
      return fresh.certPem;
    },

    async add(key, spec = {}) {
      if (servers.has(key) || starting.has(key))
        throw new Error(`simulated CML server "${key}" already exists`);
      starting.add(key);
      try {
        const fullSpec = { ...defaultCmlServerSpec(key), ...spec };
        const server = await startCmlSimServer({
          spec: fullSpec,
          identity: simIdentity(key, Math.max(fullSpec.computeCount, 8), now() - 30 * 24 * 60 * 60 * 1000),
          tls,
          username: options.username,
          password: options.password,
          tokenTtlSeconds: options.tokenTtlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS,
          now,
        });
        servers.set(key, server);
        return { endpoint: server.endpoint };
      } finally {
        starting.delete(key);
      }
    },

    update(key, patch) {
      serverOf(key).update(patch);
    },

    async remove(key) {
      const server = servers.get(key);
      if (!server) return;
      servers.delete(key);
      await server.close();
    },

    get: (key) => servers.get(key)?.spec(),

    calls(key) {
      if (key !== undefined) return serverOf(key).calls();
      const total: Record<string, number> = {};
      for (const server of servers.values()) {
        for (const [endpoint, count] of Object.entries(server.calls())) {
          total[endpoint] = (total[endpoint] ?? 0) + count;
        }
      }
      return total;
    },

    connections: (key) => serverOf(key).connections(),
    maxInFlight: (key) => serverOf(key).maxInFlight(),

    resetCalls() {
      for (const server of servers.values()) server.resetCalls();
    },

    revokeTokens(key) {
      if (key !== undefined) serverOf(key).revokeTokens();
      else for (const server of servers.values()) server.revokeTokens();
    },

    async close() {
      const all = [...servers.values()];
      servers.clear();
      await Promise.all(all.map((server) => server.close()));
    },
  };
}
