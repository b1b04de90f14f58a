import { type Source, workerIdOf } from "@cml-telemetry/contracts";
import type { TelemetryMessage } from "./telemetry-messages.ts";
import { telemetryMessage } from "./telemetry-messages.ts";
import {
  at,
  cloudwatchData,
  cmlData,
  discoveredData,
  ec2StatusData,
  failedData,
  instanceIdOf,
  REGION,
} from "./worker-fixtures.ts";

/** The worker id of the n-th simulated worker. */
export function fleetWorkerId(n: number): string {
  return workerIdOf(REGION, instanceIdOf(n));
}

/** The discovery of the n-th simulated worker (running, with a public IP of its own). */
function discoveryOf(n: number): TelemetryMessage {
  return telemetryMessage.discovered(
    discoveredData({
      instanceId: instanceIdOf(n),
      name: `cml-${n}`,
      publicIp: `198.51.${(n >> 8) & 255}.${n & 255}`,
    }),
  );
}

/**
 * The observation of one source of the n-th worker in round r ≥ 1, observed r minutes after T0: an EC2 status, a
 * CloudWatch reading, or a CML reading (every 7th a CML failure).
 */
function observationOf(source: Source, n: number, round: number): TelemetryMessage {
  const instanceId = instanceIdOf(n);
  const observedAt = at(round);
  switch (source) {
    case "ec2":
      return telemetryMessage.ec2Status(ec2StatusData({ instanceId, observedAt }));
    case "cloudwatch":
      return telemetryMessage.cloudwatch(
        cloudwatchData({ instanceId, observedAt, cpuUtilization: (n + round) % 100 }),
      );
    case "cml":
      return (round + n) % 7 === 0
        ? telemetryMessage.failed("cml", failedData({ instanceId, observedAt, errorType: "CmlUnreachable" }))
        : telemetryMessage.cml(cmlData({ instanceId, observedAt, runningLabsCount: (round + n) % 3 }));
    default: {
      const unhandled: never = source;
      throw new TypeError(`unhandled source ${String(unhandled)}`);
    }
  }
}

const SOURCES: readonly Source[] = ["ec2", "cloudwatch", "cml"];

/**
 * One round of a deterministic fleet telemetry script: round 0 discovers every worker; round r ≥ 1 brings an EC2
 * status, a CloudWatch and a CML observation per worker, one worker after another, observed r minutes after T0.
 * Workers `first` to `workers - 1` only (to generate a large fleet in slices).
 */
export function fleetTelemetryRound(workers: number, round: number, first = 0): TelemetryMessage[] {
  const messages: TelemetryMessage[] = [];
  for (let n = first; n < workers; n += 1) {
    if (round === 0) messages.push(discoveryOf(n));
    else for (const source of SOURCES) messages.push(observationOf(source, n, round));
  }
  return messages;
}

/** Discovery of `workers` workers followed by `rounds` rounds of observations, as collectors publish them. */
export function fleetTelemetry(workers: number, rounds: number): TelemetryMessage[] {
  const messages: TelemetryMessage[] = [];
  for (let round = 0; round <= rounds; round += 1) messages.push(...fleetTelemetryRound(workers, round));
  return messages;
}

/** How each collector's results reach the stream: in batches of its size, its sweep at its own phase. */
const SWEEPS: ReadonlyArray<{ readonly source: Source; readonly batch: number; readonly phase: number }> = [
  // DescribeInstanceStatus: 100 instance ids per call.
  { source: "ec2", batch: 100, phase: 0 },
  // GetMetricData: 250 workers per call (two queries each).
  { source: "cloudwatch", batch: 250, phase: 1 / 3 },
  // One controller after another, a consumer batch at a time.
  { source: "cml", batch: 32, phase: 2 / 3 },
];

/**
 * One round of fleet telemetry in the order the collectors' schedules put it on the stream: round 0 discovers every
 * worker (in pages of 1,000); in round r ≥ 1 each source sweeps the whole fleet in batches of its collector's size,
 * starting at its own phase of the fleet (sources run on separate schedules), and the three sweeps advance side by
 * side, each batch going to the sweep furthest behind. So consecutive messages belong to different workers, as in
 * real traffic, rather than one worker's three observations back to back.
 */
export function* interleavedFleetTelemetryRound(workers: number, round: number): Generator<TelemetryMessage> {
  if (round === 0) {
    for (let n = 0; n < workers; n += 1) yield discoveryOf(n);
    return;
  }
  const done = SWEEPS.map(() => 0);
  for (;;) {
    let next = -1;
    for (let index = 0; index < SWEEPS.length; index += 1) {
      if (
        (done[index] as number) < workers &&
        (next < 0 || (done[index] as number) < (done[next] as number))
      ) {
        next = index;
      }
    }
    if (next < 0) return;
    const sweep = SWEEPS[next] as (typeof SWEEPS)[number];
    const start = done[next] as number;
    const end = Math.min(workers, start + sweep.batch);
    const offset = Math.floor(sweep.phase * workers);
    for (let position = start; position < end; position += 1) {
      yield observationOf(sweep.source, (offset + position) % workers, round);
    }
    done[next] = end;
  }
}
