import type { InstanceRecord } from "../model/fleet-model.ts";

/** What the control API delegates to the CML server pool (provided by the composed fleet simulator). */
export interface CmlControl {
  /** The CML server of an instance (endpoint and behaviour), or undefined when it has none. */
  describe(instance: InstanceRecord): unknown;
  /** Changes the CML server's behaviour (mode, version, labs, license...). */
  update(instance: InstanceRecord, patch: Record<string, unknown>): Promise<unknown>;
  /** Call counters of the CML servers. */
  calls(): unknown;
  resetCalls(): void;
  /** Resolves once the CML servers follow the latest fleet changes. */
  idle(): Promise<void>;
}
