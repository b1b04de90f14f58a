import { LIFECYCLE_STATE_FIELDS, type WorkerRecord, workerRecordSchema } from "@cml-telemetry/contracts";
import { isNewer } from "../decider/uptime.ts";

/** State fields added after the first records were written: absent in those, null once read. */
const LATER_NULLABLE_FIELDS = ["runningSince", ...LIFECYCLE_STATE_FIELDS] as const;
type LaterField = "statusObservedAt" | (typeof LATER_NULLABLE_FIELDS)[number];

type StoredState = Omit<WorkerRecord["state"], LaterField> & Partial<Pick<WorkerRecord["state"], LaterField>>;

/**
 * A worker record from the JSON text stored in KV. A record written before the state had its status clock and run
 * start gets them: the status clock is the newest of the two times that guarded the status then (last discovery,
 * last status check); the run start is unknown (null: no CML or CloudWatch observation is turned away for it), and so
 * are the lifecycle fields (null: no lifecycle request, no usage counted yet).
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
  if (state !== undefined) {
    for (const field of LATER_NULLABLE_FIELDS) if (state[field] === undefined) state[field] = null;
  }
  return options.validate ? workerRecordSchema.parse(raw) : (raw as WorkerRecord);
}
