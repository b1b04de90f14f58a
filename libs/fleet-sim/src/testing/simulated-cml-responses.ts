import {
  errorBody,
  labBody,
  labStateBody,
  labTilesBody,
  licensingBody,
  serializeSystemStats,
  simIdentity,
  systemInformationBody,
  systemStatsBody,
} from "../cml/cml-responses.ts";
import { defaultCmlServerSpec, generateCmlLabs } from "../cml/default-spec.ts";
import { createTokenStore } from "../cml/token-store.ts";
import type { CmlServerSpec } from "../cml/types.ts";

/**
 * The CML endpoints whose answers the simulator builds (`lab` is `GET /labs/{id}`, `lab_state` is
 * `GET /labs/{id}/state`, `error` any error body).
 */
export const SIMULATED_CML_RESPONSE_KINDS = [
  "system_information",
  "system_stats",
  "labs",
  "lab",
  "lab_state",
  "lab_tiles",
  "licensing",
  "error",
  "authenticate",
] as const;
export type SimulatedCmlResponseKind = (typeof SIMULATED_CML_RESPONSE_KINDS)[number];

/** One answer of a simulated CML server, as parsed from the wire. */
export interface SimulatedCmlResponse {
  readonly kind: SimulatedCmlResponseKind;
  /** What case it is (shown in test names). */
  readonly label: string;
  readonly body: unknown;
}

const identity = simIdentity("worker-a", 8, Date.UTC(2026, 0, 10, 8, 30, 0));

/** A simulated server's spec: worker-a's defaults with four labs (two started), patched. */
export function simulatedCmlSpec(patch: Partial<CmlServerSpec> = {}): CmlServerSpec {
  return {
    ...defaultCmlServerSpec("worker-a"),
    labs: generateCmlLabs({ count: 4, started: 2, seed: "worker-a" }),
    ...patch,
  };
}

/** `system_stats` as the simulator sends it for `spec` (its variant's number encoding), parsed. */
export function simulatedSystemStats(spec: CmlServerSpec): unknown {
  return JSON.parse(serializeSystemStats(systemStatsBody(spec, identity), spec.variant)) as unknown;
}

/**
 * Every kind of answer the simulated CML servers give, in each variant that changes its shape: both system
 * versions and compute counts, unknown running nodes, every lab state, every licensing combination, errors and
 * tokens. Contract tests check all of them against Cisco's OpenAPI document and against the client's own schemas.
 */
export function simulatedCmlResponses(): SimulatedCmlResponse[] {
  const spec = simulatedCmlSpec();
  return [
    { kind: "system_information", label: "ready", body: systemInformationBody(spec) },
    {
      kind: "system_information",
      label: "not ready",
      body: systemInformationBody(simulatedCmlSpec({ ready: false })),
    },
    ...(
      [
        ["2.9.0", 1],
        ["2.9.1", 1],
        ["2.9.1", 3],
      ] as const
    ).map(([variant, computeCount]) => ({
      kind: "system_stats" as const,
      label: `${variant}, ${computeCount} computes`,
      body: simulatedSystemStats(simulatedCmlSpec({ variant, computeCount })),
    })),
    {
      kind: "system_stats",
      label: "running nodes unknown",
      body: simulatedSystemStats(simulatedCmlSpec({ runningNodes: null })),
    },
    { kind: "labs", label: "lab ids", body: spec.labs.map((lab) => lab.id) },
    ...spec.labs.map((lab) => ({
      kind: "lab" as const,
      label: `lab ${lab.state}`,
      body: labBody(lab, identity),
    })),
    ...spec.labs.map((lab) => ({
      kind: "lab_state" as const,
      label: `lab state ${lab.state}`,
      body: labStateBody(lab),
    })),
    { kind: "lab_tiles", label: "populate_lab_tiles as documented", body: labTilesBody(spec, identity) },
    {
      kind: "lab_tiles",
      label: "populate_lab_tiles with lab fields",
      body: labTilesBody(simulatedCmlSpec({ labTiles: "with-lab-fields" }), identity),
    },
    ...[
      ["COMPLETED", "IN_COMPLIANCE"],
      ["UNREGISTERED", "EVAL"],
      ["COMPLETED", "OUT_OF_COMPLIANCE"],
      ["COMPLETED", "AUTHORIZATION_EXPIRED"],
    ].map(([registration = "", authorization = ""]) => ({
      kind: "licensing" as const,
      label: `${registration} / ${authorization}`,
      body: licensingBody(simulatedCmlSpec({ license: { registration, authorization } }), identity),
    })),
    { kind: "error", label: "404", body: errorBody(404, "Lab not found: x") },
    { kind: "authenticate", label: "token", body: createTokenStore(60, () => 0).issue("admin") },
  ];
}

/** `licensing` of {@link simulatedCmlSpec} (the live timestamp format is one of the documented deviations). */
export function simulatedLicensing(): ReturnType<typeof licensingBody> {
  return licensingBody(simulatedCmlSpec(), identity);
}
