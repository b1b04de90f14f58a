import type { DomainEvent } from "@cml-telemetry/contracts";

type CmlMetricsUpdated = Extract<DomainEvent, { name: "cml_metrics_updated" }>["data"];

/** The CML readings a `cml.metrics` observation, its `cml_metrics_updated` event and the state's block share by name. */
export type CmlReadings = Pick<
  CmlMetricsUpdated,
  | "ready"
  | "labsCount"
  | "runningLabsCount"
  | "licenseStatus"
  | "cpuPercent"
  | "memoryUsedPercent"
  | "diskUsedPercent"
  | "runningNodes"
>;

/**
 * The readings of an observation or event, copied under the same names: the one mapping the Decider uses from a
 * `cml.metrics` observation to its event, and from the event to the state's `cmlMetrics` block.
 */
export function cmlReadingsOf(source: CmlReadings): CmlReadings {
  return {
    ready: source.ready,
    labsCount: source.labsCount,
    runningLabsCount: source.runningLabsCount,
    licenseStatus: source.licenseStatus,
    cpuPercent: source.cpuPercent,
    memoryUsedPercent: source.memoryUsedPercent,
    diskUsedPercent: source.diskUsedPercent,
    runningNodes: source.runningNodes,
  };
}
