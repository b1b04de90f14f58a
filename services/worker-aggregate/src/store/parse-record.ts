import { type WorkerRecord, workerRecordSchema } from "@cml-telemetry/contracts";
import { isNewer } from "../decider/uptime.ts";

type StoredState = Omit<WorkerRecord["state"], "statusObservedAt" | "runningSince"> &
  Partial<Pick<WorkerRecord["state"], "statusObservedAt" | "runningSince">>;

/**
 * A worker record from the JSON text stored in KV. A record written before the state had its status clock and run
 * start gets them: the status clock is the newest of the two times that guarded the status then (last discovery,
 * last status check); the run start is unknown (null: no CML or CloudWatch observation is turned away for it).
 * `validate` re-checks the record against the contract schema.
 */
export function parseRecord(json: string, options: { validate?: boolean } = {}): WorkerRecord {
  const raw = JSON.parse(json) as { state?: StoredState };
  const state = raw.state;
  if (state !== undefined && state.statusObservedAt === undefined) {
    const discovered = state.lastDiscoveredAt;
    const checked = state.ec2Metrics?.lastCheckedAt ?? null;
    state.statusObservedAt =
      discovered === null ? checked : checked !== null && isNewer(checked, discovered) ? checked : discovered;
  }
  if (state !== undefined && state.runningSince === undefined) state.runningSince = null;
  return options.validate ? workerRecordSchema.parse(raw) : (raw as WorkerRecord);
}
