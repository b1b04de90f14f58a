import { ValidationError, workerIdOf } from "@cml-telemetry/contracts";

/** The worker an input names: its id and the region and instance id the id is derived from. */
export interface WorkerRef {
  readonly workerId: string;
  readonly region: string;
  readonly instanceId: string;
}

/** An input whose `workerId` is not UUIDv5(`<region>/<instanceId>`) of its own data: termed, never a new worker. */
export class WorkerIdentityError extends ValidationError {
  constructor(ref: WorkerRef) {
    super(
      `workerId ${ref.workerId} is not the id of ${ref.region}/${ref.instanceId} (${workerIdOf(ref.region, ref.instanceId)})`,
      [{ field: "data.workerId", message: "not UUIDv5 of <region>/<instanceId>" }],
    );
  }
}

/** Checks that an input's `workerId` is the one of its region and instance id. */
export type WorkerIdentityCheck = (ref: WorkerRef) => void;

/**
 * @throws WorkerIdentityError when `workerId` is not UUIDv5(`<region>/<instanceId>`) (DESIGN §5).
 */
export function checkWorkerIdentity(ref: WorkerRef): void {
  if (workerIdOf(ref.region, ref.instanceId) !== ref.workerId) throw new WorkerIdentityError(ref);
}

/**
 * {@link checkWorkerIdentity} that remembers the ids it verified (a UUIDv5 is a SHA-1 hash: a few µs per input),
 * at most `maxEntries` of them (then it starts over).
 */
export function createWorkerIdentityCheck(options: { maxEntries?: number } = {}): WorkerIdentityCheck {
  const maxEntries = options.maxEntries ?? 100_000;
  const verified = new Map<string, string>();
  return (ref) => {
    const name = `${ref.region}/${ref.instanceId}`;
    if (verified.get(ref.workerId) === name) return;
    checkWorkerIdentity(ref);
    if (verified.size >= maxEntries) verified.clear();
    verified.set(ref.workerId, name);
  };
}
