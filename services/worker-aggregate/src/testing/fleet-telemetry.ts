import { workerIdOf } from "@cml-telemetry/contracts";
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

/**
 * One round of a deterministic fleet telemetry script: round 0 discovers every worker; round r ≥ 1 brings an EC2
 * status, a CloudWatch and a CML observation (every 7th a CML failure) per worker, observed r minutes after T0.
 * Workers `first` to `workers - 1` only (to generate a large fleet in slices).
 */
export function fleetTelemetryRound(workers: number, round: number, first = 0): TelemetryMessage[] {
  const messages: TelemetryMessage[] = [];
  for (let n = first; n < workers; n += 1) {
    const instanceId = instanceIdOf(n);
    if (round === 0) {
      messages.push(
        telemetryMessage.discovered(
          discoveredData({ instanceId, name: `cml-${n}`, publicIp: `198.51.${(n >> 8) & 255}.${n & 255}` }),
        ),
      );
      continue;
    }
    const observedAt = at(round);
    messages.push(telemetryMessage.ec2Status(ec2StatusData({ instanceId, observedAt })));
    messages.push(
      telemetryMessage.cloudwatch(
        cloudwatchData({ instanceId, observedAt, cpuUtilization: (n + round) % 100 }),
      ),
    );
    messages.push(
      (round + n) % 7 === 0
        ? telemetryMessage.failed("cml", failedData({ instanceId, observedAt, errorType: "CmlUnreachable" }))
        : telemetryMessage.cml(cmlData({ instanceId, observedAt, runningLabsCount: (round + n) % 3 })),
    );
  }
  return messages;
}

/** Discovery of `workers` workers followed by `rounds` rounds of observations, as collectors publish them. */
export function fleetTelemetry(workers: number, rounds: number): TelemetryMessage[] {
  const messages: TelemetryMessage[] = [];
  for (let round = 0; round <= rounds; round += 1) messages.push(...fleetTelemetryRound(workers, round));
  return messages;
}
