import { CmlBadResponse, CmlBooting } from "./errors.ts";
import { type CmlLicenseStatus, licenseStatusFromLicensing } from "./license-status.ts";
import type { SystemInformation, SystemStats } from "./schemas.ts";
import type { CmlClient } from "./types.ts";

/** What one read of a controller yields; every field but `ready` is null when it could not be known. */
export interface CmlTelemetry {
  /** `system_information.ready`; false while the reverse proxy answers 502/503. */
  ready: boolean;
  version: string | null;
  labsCount: number | null;
  /** Labs in state `STARTED`. */
  runningLabsCount: number | null;
  /** Null when licensing was not requested or the user may not read it (403). */
  licenseStatus: CmlLicenseStatus | null;
  cpuPercent: number | null;
  memoryUsedPercent: number | null;
  diskUsedPercent: number | null;
  /** `dominfo.running_nodes` summed over computes (null when no compute reports it). */
  runningNodes: number | null;
  /** Raw `system_information` body; null while booting. */
  systemInfo: SystemInformation | null;
}

export interface ReadCmlTelemetryOptions {
  /** Also read `GET /licensing`. */
  includeLicensing: boolean;
}

type Usage = { used: number; total: number };

const round2 = (value: number): number => Math.round(value * 100) / 100;
const clampPercent = (value: number): number => round2(Math.min(100, Math.max(0, value)));

function usedPercent(usage: Usage | undefined): number | null {
  if (usage === undefined || !(usage.total > 0)) return null;
  return clampPercent((usage.used / usage.total) * 100);
}

function sumUsage(usages: Array<Usage | undefined>): Usage | undefined {
  const present = usages.filter((usage): usage is Usage => usage !== undefined);
  if (present.length === 0) return undefined;
  return {
    used: present.reduce((sum, usage) => sum + usage.used, 0),
    total: present.reduce((sum, usage) => sum + usage.total, 0),
  };
}

/** CPU/memory/disk from `all`, falling back to the sum over computes when `all` lacks a block. */
export function systemUsageOf(stats: SystemStats): {
  cpuPercent: number | null;
  memoryUsedPercent: number | null;
  diskUsedPercent: number | null;
  runningNodes: number | null;
} {
  const computes = Object.values(stats.computes);
  const cpuValues = computes
    .map((compute) => compute.stats?.cpu?.percent)
    .filter((value): value is number => value !== undefined);
  const cpu =
    stats.all?.cpu?.percent ??
    (cpuValues.length > 0 ? cpuValues.reduce((sum, value) => sum + value, 0) / cpuValues.length : undefined);
  const memory = stats.all?.memory ?? sumUsage(computes.map((compute) => compute.stats?.memory));
  const disk = stats.all?.disk ?? sumUsage(computes.map((compute) => compute.stats?.disk));
  const running = computes
    .map((compute) => compute.stats?.dominfo?.running_nodes)
    .filter((value): value is number => typeof value === "number");
  return {
    cpuPercent: cpu === undefined ? null : clampPercent(cpu),
    memoryUsedPercent: usedPercent(memory),
    diskUsedPercent: usedPercent(disk),
    runningNodes: running.length === 0 ? null : running.reduce((sum, value) => sum + Math.max(0, value), 0),
  };
}

/**
 * Telemetry from the unauthenticated probe alone (booting, not ready, or no authenticated read wanted):
 * everything that needs a sign-in is null.
 */
export const probeOnlyTelemetry = (systemInfo: SystemInformation | null, ready = false): CmlTelemetry => ({
  ready,
  version: systemInfo?.version ?? null,
  labsCount: null,
  runningLabsCount: null,
  licenseStatus: null,
  cpuPercent: null,
  memoryUsedPercent: null,
  diskUsedPercent: null,
  runningNodes: null,
  systemInfo,
});

/**
 * Reads a controller's telemetry. Starts with the unauthenticated `system_information` probe; when the
 * controller is booting (502/503) or not ready it returns right there, without any authenticated call.
 * Otherwise labs, system stats and (optionally) licensing are read in parallel with one shared token.
 * Other failures are thrown as `CmlClientError` subclasses.
 *
 * @example
 * const telemetry = await readCmlTelemetry(client, { includeLicensing: true });
 */
export async function readCmlTelemetry(
  client: CmlClient,
  options: ReadCmlTelemetryOptions,
): Promise<CmlTelemetry> {
  let systemInfo: SystemInformation;
  try {
    systemInfo = await client.getSystemInformation();
  } catch (error) {
    if (error instanceof CmlBooting) return probeOnlyTelemetry(null);
    throw error;
  }
  if (!systemInfo.ready) return probeOnlyTelemetry(systemInfo);

  const [labs, stats, licenseStatus] = await Promise.all([
    client.getLabSummaries(),
    client.getSystemStats(),
    options.includeLicensing ? readLicenseStatus(client) : Promise.resolve(null),
  ]);
  return {
    ready: true,
    version: systemInfo.version,
    labsCount: labs.length,
    runningLabsCount: labs.filter((lab) => lab.state === "STARTED").length,
    licenseStatus,
    ...systemUsageOf(stats),
    systemInfo,
  };
}

/** Licensing status, or null when the configured user may not read licensing (403). */
async function readLicenseStatus(client: CmlClient): Promise<CmlLicenseStatus | null> {
  try {
    return licenseStatusFromLicensing(await client.getLicensing());
  } catch (error) {
    if (error instanceof CmlBadResponse && error.status === 403) return null;
    throw error;
  }
}
