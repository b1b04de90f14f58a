import type { WorkerState } from "@cml-telemetry/contracts";
import type { WorkerReadModel } from "../ports.ts";
import { ProblemError } from "../problems.ts";

/**
 * The worker with this id from the read model.
 * @throws ProblemError `not-found` when there is none.
 */
export function requireWorker(readModel: WorkerReadModel, id: string): WorkerState {
  const worker = readModel.get(id);
  if (!worker) throw new ProblemError("not-found", `worker ${id} does not exist`);
  return worker;
}
