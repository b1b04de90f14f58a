import type { OpsPublisher } from "@cml-telemetry/messaging";
import type { ConnectionOps } from "../ports.ts";

/** Connection ops events through the shared fire-and-forget ops publisher (`cml.ops.api.connection`). */
export function connectionOpsFrom(ops: OpsPublisher): ConnectionOps {
  return {
    established: (connectionId, transport) => ops.connectionEstablished({ connectionId, transport }),
    closed: (connectionId, transport, durationSeconds, reason) =>
      ops.connectionClosed({ connectionId, transport, durationSeconds, reason }),
  };
}
