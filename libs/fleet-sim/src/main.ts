import { mkdir, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { startFleetSimulator } from "./composition/fleet-simulator.ts";
import { FleetSimConfigError, parseFleetSimEnv } from "./config/fleet-sim-env.ts";
import { createFleetModel } from "./model/fleet-model.ts";

function logLine(level: string, event: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level, event, ...fields })}\n`);
}

async function main(): Promise<void> {
  const config = parseFleetSimEnv(process.env);
  const fleet = createFleetModel({
    seed: config.seed,
    workers: config.workers,
    untagged: config.untagged,
    regions: config.regions,
    workerTagKey: config.workerTagKey,
    timings: { bootSeconds: config.bootSeconds, metricLagSeconds: config.metricLagSeconds },
  });
  const sim = await startFleetSimulator({
    fleet,
    port: config.port,
    host: config.host,
    churnEveryMs: config.churnSeconds * 1000,
    labsEndAfterMs: config.labsEndSeconds * 1000,
    cml: config.cml
      ? {
          username: config.cmlUsername,
          password: config.cmlPassword,
          certificateHost: config.cmlCertificateHost,
          ...(config.labs === undefined ? {} : { labs: config.labs }),
        }
      : false,
    log: (event, fields) => logLine(event.endsWith(".error") ? "error" : "info", event, fields),
  });
  let caFile: string | null = null;
  if (sim.caCertPem) {
    const dir = resolve(config.dataDir);
    await mkdir(dir, { recursive: true });
    caFile = resolve(dir, "cml-ca.pem");
    await writeFile(caFile, sim.caCertPem);
  }
  process.stdout.write(
    `${JSON.stringify({
      event: "fleet-sim.ready",
      url: sim.url,
      caFile,
      cmlServerName: config.cml ? config.cmlCertificateHost : null,
      workers: config.workers,
      instances: fleet.instances().length,
      regions: config.regions,
      workerTagKey: config.workerTagKey,
      cml: config.cml,
    })}\n`,
  );
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logLine("info", "fleet-sim.stopping", { signal });
    sim.close().then(
      () => {
        logLine("info", "fleet-sim.stopped");
        process.exit(0);
      },
      (error: unknown) => {
        logLine("error", "fleet-sim.stop.error", { error: String(error) });
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

main().catch((error: unknown) => {
  if (error instanceof FleetSimConfigError) process.stderr.write(`${error.message}\n`);
  else
    process.stderr.write(
      `fleet-sim failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  process.exit(1);
});
