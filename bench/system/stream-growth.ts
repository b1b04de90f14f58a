import { createTopology } from "@cml-telemetry/contracts";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";

/** How much each kept stream grew over a window, per minute. */
export interface StreamGrowth {
  readonly telemetryMessagesPerMinute: number;
  readonly telemetryMbPerDay: number;
  readonly workerEventsMbPerDay: number;
  readonly opsMbPerDay: number;
}

/**
 * Reads the sizes of the streams that keep data (CML_TELEMETRY, CML_WORKER_EVENTS, CML_OPS) now, and returns a
 * function that reads them again and says how fast they grew: the disk (and embedded history) a fleet fills per day.
 */
export async function startStreamGrowth(natsUrl: string): Promise<() => Promise<StreamGrowth>> {
  const nc = await connect({ servers: natsUrl, name: "bench-system" });
  const jsm = await jetstreamManager(nc);
  const { streams } = createTopology();
  const read = async () => {
    const [telemetry, events, ops] = await Promise.all(
      [streams.telemetry, streams.workerEvents, streams.ops].map((stream) => jsm.streams.info(stream.name)),
    );
    return { at: Date.now(), telemetry: telemetry?.state, events: events?.state, ops: ops?.state };
  };
  const start = await read();
  return async () => {
    try {
      const end = await read();
      const minutes = (end.at - start.at) / 60_000;
      const mbPerDay = (from: number | undefined, to: number | undefined) =>
        Math.round(((((to ?? 0) - (from ?? 0)) / minutes) * 1_440) / 1024 / 1024);
      return {
        telemetryMessagesPerMinute: Math.round(
          ((end.telemetry?.messages ?? 0) - (start.telemetry?.messages ?? 0)) / minutes,
        ),
        telemetryMbPerDay: mbPerDay(start.telemetry?.bytes, end.telemetry?.bytes),
        workerEventsMbPerDay: mbPerDay(start.events?.bytes, end.events?.bytes),
        opsMbPerDay: mbPerDay(start.ops?.bytes, end.ops?.bytes),
      };
    } finally {
      await nc.close();
    }
  };
}
