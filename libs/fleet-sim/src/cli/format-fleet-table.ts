/** The fields of a control-API instance the CLI's table shows. */
interface ListedInstance {
  instanceId: string;
  region: string;
  state: string;
  tags: Record<string, string>;
  agent: string;
  detailedMonitoring: boolean;
  cpuOverride: number | null;
  instanceStatus: string;
  cmlServer?: { spec?: { mode?: string } } | null;
}

/** Renders `GET /_sim/fleet` as a fixed-width table. */
export function formatFleetTable(payload: { instances: ListedInstance[]; workerTagKey: string }): string {
  const header = [
    "INSTANCE",
    "NAME",
    "REGION",
    "STATE",
    "STATUS",
    "WORKER",
    "AGENT",
    "MON",
    "CPU",
    "CML",
    "ENDPOINT",
  ];
  const rows = payload.instances.map((i) => [
    i.instanceId,
    i.tags.Name ?? "-",
    i.region,
    i.state,
    i.instanceStatus,
    payload.workerTagKey in i.tags ? "yes" : "no",
    i.agent,
    i.detailedMonitoring ? "1m" : "5m",
    i.cpuOverride === null ? "auto" : String(i.cpuOverride),
    i.cmlServer?.spec?.mode ?? "-",
    i.tags["cml:endpoint"] ?? "-",
  ]);
  const widths = header.map((h, col) => Math.max(h.length, ...rows.map((r) => (r[col] ?? "").length)));
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, col) => cell.padEnd(widths[col] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
