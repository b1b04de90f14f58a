import type { Topology } from "@cml-telemetry/contracts";
import type { Logger, OpsPublisher } from "@cml-telemetry/messaging";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Meter } from "@opentelemetry/api";
import type { AwsCallObserver, ThrottleBackoff } from "./aws-caller.ts";

/** Dependencies and settings every AWS-polling collector replica takes (EC2, CloudWatch). */
export interface AwsCollectorOptions<Client> {
  readonly nc: NatsConnection;
  readonly topology: Topology;
  readonly logger: Logger;
  readonly ops: OpsPublisher;
  /** Meter of the self-metrics (none when absent). */
  readonly meter?: Meter;
  /** One client per region of `CML_REGIONS`. */
  readonly clients: ReadonlyMap<string, Client>;
  /** Slot length of the collect scheduler, seconds (`COLLECT_INTERVAL_<SOURCE>_SECONDS`). */
  readonly intervalSeconds: number;
  /** Run this replica's tickers and directory watch (default true); false = consume commands only. */
  readonly schedule?: boolean;
  readonly directoryCheckMs?: number;
  /** Commands handled together at most (default 1000). */
  readonly batchSize?: number;
  readonly throttleBackoff?: ThrottleBackoff;
  /** Extra observer of every AWS call (beside the self-metrics). */
  readonly onAwsCall?: AwsCallObserver;
  readonly now?: () => number;
}
