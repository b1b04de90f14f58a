import type { Topology } from "@cml-telemetry/contracts";
import { openWorkersKv } from "@cml-telemetry/messaging";
import type { NatsConnection } from "@nats-io/transport-node";
import { createWorkerDirectory, type DirectoryLogger, type WorkerDirectory } from "./worker-directory.ts";

/** Opens KV `cml_workers` of the topology and returns its worker directory once the initial values are loaded. */
export async function openWorkerDirectory(
  nc: NatsConnection,
  topology: Topology,
  logger: DirectoryLogger,
): Promise<WorkerDirectory> {
  const directory = await createWorkerDirectory(await openWorkersKv(nc, topology), logger);
  await directory.ready;
  return directory;
}
