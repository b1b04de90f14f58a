/** How far a history instance has read `CML_TELEMETRY`. */
export interface IngestProgress {
  /** Telemetry messages handled since start. */
  readonly handled: number;
  /** Messages the stream held at start that had to be replayed (0 for the shared durable consumer). */
  readonly replayTotal: number;
  /** Of those, how many are done (equals `replayTotal` once caught up). */
  readonly replayed: number;
  /** True once the store reflects the stream as it was at start; queries are served from then on. */
  readonly caughtUp: boolean;
}

/** A running telemetry → history ingest (replay consumer for the embedded store, shared durable one for MongoDB). */
export interface TelemetryIngest {
  /** Resolves when the replay caught up with the stream (at once for the shared durable consumer). */
  readonly caughtUp: Promise<void>;
  progress(): IngestProgress;
  /** Stops reading after the batch in hand is written; resolves when the consumer is closed. */
  stop(): Promise<void>;
}
