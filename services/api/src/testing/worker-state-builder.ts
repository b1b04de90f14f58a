import { blankWorkerState, type WorkerState, workerIdOf } from "@cml-telemetry/contracts";

let counter = 0;

/** A valid worker state (RUNNING, AVAILABLE, never collected) with `overrides` applied. */
export function aWorkerState(overrides: Partial<WorkerState> = {}): WorkerState {
  counter += 1;
  const region = overrides.region ?? "us-east-1";
  const instanceId = overrides.instanceId ?? `i-${(0x10000000 + counter).toString(16).padStart(17, "0")}`;
  const at = "2026-11-25T10:00:00.000Z";
  return {
    ...blankWorkerState({
      id: workerIdOf(region, instanceId),
      region,
      instanceId,
      at,
      createdBy: "discovery",
    }),
    name: `cml-${counter}`,
    instanceType: "m5zn.metal",
    amiId: "ami-0abcdef1234567890",
    amiName: "cml-2.9.1",
    status: "RUNNING",
    serviceStatus: "AVAILABLE",
    licenseStatus: "REGISTERED",
    cmlVersion: "2.9.1",
    httpsEndpoint: "https://203.0.113.10",
    publicIp: "203.0.113.10",
    privateIp: "10.0.1.15",
    detailedMonitoring: false,
    lastDiscoveredAt: at,
    version: 1,
    ...overrides,
  };
}
