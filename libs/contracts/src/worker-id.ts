import { v5 as uuidv5 } from "uuid";

/** Namespace of worker ids (a fixed UUID of this product). */
export const WORKER_ID_NAMESPACE = "5b0c6d2e-8f3a-4c1b-9e7d-2a6f4b8c1d3e";

/** Worker id = UUID v5 of `<region>/<instanceId>`, so discovery and registration of one instance converge. */
export function workerIdOf(region: string, instanceId: string): string {
  return uuidv5(`${region}/${instanceId}`, WORKER_ID_NAMESPACE);
}
