import { seededUuid } from "./sim-ids.ts";
import type { CmlServerSpec, CmlSimLab } from "./types.ts";

/** Stable facts of one simulated controller (ids and the time it was installed). */
export interface CmlSimIdentity {
  computeIds: string[];
  ownerId: string;
  productUuid: string;
  featureId: string;
  installedAtMs: number;
}

const MEMORY_TOTAL = 16_748_994_560;
const DISK_TOTAL = 119_839_232_000;
const CPU_COUNT = 6;
const CPU_MODEL = "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz";
const DAY_MS = 24 * 60 * 60 * 1000;
/** What the simulated controllers' only user (an admin) may do in every lab. */
const ADMIN_PERMISSIONS = ["lab_admin", "lab_edit", "lab_exec", "lab_view"] as const;

/** Identity derived from the pool key, so a re-added controller keeps its ids. */
export function simIdentity(key: string, computeCount: number, installedAtMs: number): CmlSimIdentity {
  return {
    computeIds: Array.from({ length: Math.max(1, computeCount) }, (_, index) =>
      seededUuid(`${key}/compute/${index}`),
    ),
    ownerId: seededUuid(`${key}/owner/admin`),
    productUuid: seededUuid(`${key}/product`),
    featureId: `regid.2019-10.com.cisco.CML_NODE_COUNT,1.0_${seededUuid(`${key}/feature`)}`,
    installedAtMs,
  };
}

/** CML error body. */
export function errorBody(code: number, description: string): { code: number; description: string } {
  return { code, description };
}

/** `GET /system_information` */
export function systemInformationBody(spec: CmlServerSpec) {
  return { version: spec.version, ready: spec.ready, allow_ssh_pubkey_auth: false, oui: "52:54:00:00:00:00" };
}

function usage(total: number, percent: number) {
  const used = Math.round((total * Math.min(100, Math.max(0, percent))) / 100);
  return { used, free: total - used, total };
}

function share(total: number, parts: number, index: number): number {
  return Math.floor(total / parts) + (index < total % parts ? 1 : 0);
}

/** `GET /system_stats`: computes keyed by UUID, `all` summed over computes, controller disk. */
export function systemStatsBody(spec: CmlServerSpec, identity: CmlSimIdentity) {
  const computeIds = identity.computeIds.slice(0, Math.max(1, spec.computeCount));
  const count = computeIds.length;
  const totalNodes = spec.labs.reduce((sum, lab) => sum + lab.nodeCount, 0);
  const memory = usage(MEMORY_TOTAL, spec.memoryUsedPercent);
  const disk = usage(DISK_TOTAL, spec.diskUsedPercent);
  const load = [0.1875, 0.2172, 0.1835].map(
    (value) => Math.round(value * (1 + spec.cpuPercent / 10) * 1e4) / 1e4,
  );
  const computes = Object.fromEntries(
    computeIds.map((id, index) => {
      const running = spec.runningNodes === null ? null : share(spec.runningNodes, count, index);
      const cpu: Record<string, unknown> = {
        count: CPU_COUNT,
        percent: spec.cpuPercent,
        model: CPU_MODEL,
        predicted: Math.round((spec.cpuPercent * CPU_COUNT) / 10),
        load,
      };
      if (spec.variant !== "2.9.0") cpu.hyperthreading = false;
      return [
        id,
        {
          hostname: index === 0 ? "cml-controller" : `cml-compute-${index}`,
          is_controller: index === 0,
          stats: {
            cpu,
            memory,
            disk,
            dominfo: {
              total_nodes: spec.runningNodes === null ? null : share(totalNodes, count, index),
              total_orphans: spec.runningNodes === null ? null : 0,
              running_nodes: running,
              running_orphans: spec.runningNodes === null ? null : 0,
              allocated_cpus: running ?? 0,
              allocated_memory: (running ?? 0) * 1_048_576,
            },
          },
        },
      ];
    }),
  );
  const sum = (value: { used: number; free: number; total: number }) => ({
    used: value.used * count,
    free: value.free * count,
    total: value.total * count,
  });
  return {
    computes,
    all: {
      cpu: { count: CPU_COUNT * count, percent: spec.cpuPercent },
      memory: sum(memory),
      disk: sum(disk),
    },
    controller: { disk },
  };
}

function isoUtc(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "+00:00");
}

/** `GET /labs/{id}` */
export function labBody(lab: CmlSimLab, identity: CmlSimIdentity) {
  return {
    id: lab.id,
    created: isoUtc(identity.installedAtMs),
    modified: isoUtc(identity.installedAtMs + DAY_MS),
    lab_title: lab.title,
    lab_description: "",
    lab_notes: "",
    owner: identity.ownerId,
    owner_username: "admin",
    owner_fullname: "Administrator",
    state: lab.state,
    node_count: lab.nodeCount,
    link_count: Math.max(0, lab.nodeCount - 1),
    effective_permissions: [...ADMIN_PERMISSIONS],
  };
}

/**
 * One tile of `GET /populate_lab_tiles` as Cisco's OpenAPI documents it (`LabUi`): the web UI's extras, no lab
 * state, title or counts.
 */
export function labUiTile(spec: CmlServerSpec) {
  return {
    topology: { nodes: [], links: [], annotations: [] },
    health: {},
    system_information: systemInformationBody(spec),
    simplified_node_definitions: [],
    effective_permissions: [...ADMIN_PERMISSIONS],
  };
}

/**
 * `GET /populate_lab_tiles` in the spec's shape: `documented` tiles are `LabUi` only; `with-lab-fields` tiles
 * also carry every field of `GET /labs/{id}`, as some controllers send. (`absent` is answered with 404 before.)
 */
export function labTilesBody(spec: CmlServerSpec, identity: CmlSimIdentity) {
  return {
    lab_tiles: Object.fromEntries(
      spec.labs.map((lab) => [
        lab.id,
        spec.labTiles === "with-lab-fields"
          ? { ...labBody(lab, identity), ...labUiTile(spec) }
          : labUiTile(spec),
      ]),
    ),
  };
}

/** `GET /labs/{id}/state`: the lab's state as a bare JSON string. */
export function labStateBody(lab: CmlSimLab): string {
  return lab.state;
}

/** Licensing timestamps as live controllers send them: `YYYY-MM-DD HH:MM:SS` (UTC, no zone). */
export function licensingTimestamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace("T", " ");
}

const emptyTimeInfo = {
  attempted: null,
  scheduled: null,
  succeeded: null,
  status: null,
  failure: null,
  success: null,
};

/** `GET /licensing` for the spec's registration/authorization strings. */
export function licensingBody(spec: CmlServerSpec, identity: CmlSimIdentity) {
  const base = identity.installedAtMs;
  const registered = /^(COMPLETED|REGISTERED)$/i.test(spec.license.registration);
  const authorizationKnown = !/^(NONE|UNREGISTERED|NOT_REGISTERED)?$/i.test(spec.license.authorization);
  return {
    registration: {
      status: spec.license.registration,
      smart_account: registered ? "Example Corp" : null,
      virtual_account: registered ? "Lab Fleet" : null,
      expires: registered ? licensingTimestamp(base + 365 * DAY_MS) : null,
      register_time: registered
        ? { ...emptyTimeInfo, attempted: licensingTimestamp(base), success: "SUCCESS", failure: "OK" }
        : emptyTimeInfo,
      renew_time: registered
        ? {
            ...emptyTimeInfo,
            attempted: licensingTimestamp(base + 7 * DAY_MS),
            scheduled: licensingTimestamp(base + 187 * DAY_MS),
            success: "SUCCESS",
          }
        : emptyTimeInfo,
    },
    authorization: {
      status: spec.license.authorization,
      expires: authorizationKnown ? licensingTimestamp(base + 90 * DAY_MS) : null,
      renew_time: authorizationKnown
        ? {
            ...emptyTimeInfo,
            status: "SUCCEEDED",
            success: "SUCCESS",
            attempted: licensingTimestamp(base + DAY_MS),
            scheduled: licensingTimestamp(base + 31 * DAY_MS),
          }
        : emptyTimeInfo,
    },
    features: [
      {
        id: identity.featureId,
        name: "CML - Expansion Node License",
        in_use: spec.runningNodes ?? 0,
        status: spec.license.authorization,
        max: 500,
        min: 0,
        version: "1.0",
      },
    ],
    reservation_mode: false,
    udi: { hostname: "cml-controller", product_uuid: identity.productUuid },
    product_license: { active: "CML_Enterprise", is_enterprise: true },
  };
}

/** JSON as the given variant prints it: 2.9.1 sends memory/disk bytes as floats (`2791538688.0`). */
export function serializeSystemStats(body: unknown, variant: CmlServerSpec["variant"]): string {
  const json = JSON.stringify(body);
  if (variant === "2.9.0") return json;
  return json.replace(/"(used|free|total)":(\d+)(?=[,}])/g, '"$1":$2.0');
}
