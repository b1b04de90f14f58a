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
 * A deterministic telemetry script for `workers` workers: one discovery each, then `rounds` rounds of EC2 status,
 * CloudWatch and CML observations (every 7th CML round a failure), a minute apart, interleaved across workers the
 * way collectors publish them.
 */
export function fleetTelemetry(workers: number, rounds: number): TelemetryMessage[] {
  const messages: TelemetryMessage[] = [];
  for (let n = 0; n < workers; n += 1) {
    const instanceId = instanceIdOf(n);
    messages.push(
      telemetryMessage.discovered(
        discoveredData({ instanceId, name: `cml-${n}`, publicIp: `198.51.${(n >> 8) & 255}.${n & 255}` }),
      ),
    );
  }
  for (let round = 1; round <= rounds; round += 1) {
    for (let n = 0; n < workers; n += 1) {
      const instanceId = instanceIdOf(n);
      const observedAt = at(round);
      messages.push(telemetryMessage.ec2Status(ec2StatusData({ instanceId, observedAt })));
      messages.push(
        telemetryMessage.cloudwatch(
          cloudwatchData({ instanceId, observedAt, cpuUtilization: (n + round) % 100 }),
        ),
      );
      messages.push(
        (round + n) % 7 === 0
          ? telemetryMessage.failed(
              "cml",
              failedData({ instanceId, observedAt, errorType: "CmlUnreachable" }),
            )
          : telemetryMessage.cml(cmlData({ instanceId, observedAt, runningLabsCount: (round + n) % 3 })),
      );
    }
  }
  return messages;
}
