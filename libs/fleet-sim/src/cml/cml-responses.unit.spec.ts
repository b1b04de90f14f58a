import { beforeAll, describe, expect, it } from "vitest";
import { type CmlSchemaCheck, loadCmlSchemaCheck, responseSchemaOf } from "./cml-openapi-validator.ts";
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
} from "./cml-responses.ts";
import { defaultCmlServerSpec, generateCmlLabs } from "./default-spec.ts";
import { createTokenStore } from "./token-store.ts";
import type { CmlServerSpec } from "./types.ts";

const identity = simIdentity("worker-a", 8, Date.UTC(2026, 0, 10, 8, 30, 0));
const spec = (patch: Partial<CmlServerSpec> = {}): CmlServerSpec => ({
  ...defaultCmlServerSpec("worker-a"),
  labs: generateCmlLabs({ count: 4, started: 2, seed: "worker-a" }),
  ...patch,
});
const statsJson = (value: CmlServerSpec) =>
  JSON.parse(serializeSystemStats(systemStatsBody(value, identity), value.variant)) as unknown;

let check: CmlSchemaCheck;
let strict: CmlSchemaCheck;

beforeAll(async () => {
  check = await loadCmlSchemaCheck({ deviations: true });
  strict = await loadCmlSchemaCheck({ deviations: false });
});

describe("simulated CML bodies against the vendor CML 2.9 OpenAPI schemas", () => {
  it("system_information is a SystemInformation", () => {
    expect(check("SystemInformation", systemInformationBody(spec()))).toEqual([]);
    expect(check("SystemInformation", systemInformationBody(spec({ ready: false })))).toEqual([]);
  });

  it.each([
    ["2.9.0", 1],
    ["2.9.1", 1],
    ["2.9.1", 3],
  ] as const)("system_stats (%s, %i computes) is a SystemStats", (variant, computeCount) => {
    expect(check("SystemStats", statsJson(spec({ variant, computeCount })))).toEqual([]);
  });

  it("system_stats with unknown running nodes has null dominfo counts and still validates", () => {
    const body = statsJson(spec({ runningNodes: null }));
    expect(check("SystemStats", body)).toEqual([]);
    expect(JSON.stringify(body)).toContain('"running_nodes":null');
  });

  it("labs/{id} is a LabResponse for every lab state", () => {
    for (const lab of spec().labs) expect(check("LabResponse", labBody(lab, identity))).toEqual([]);
  });

  it("labs is a list of UUID4 strings and populate_lab_tiles a LabTilesResponse in both shapes", async () => {
    const listSchema = await responseSchemaOf("/labs", "get");
    expect(
      check(
        listSchema,
        spec().labs.map((lab) => lab.id),
      ),
    ).toEqual([]);
    expect(check("LabTilesResponse", labTilesBody(spec(), identity))).toEqual([]);
    expect(check("LabTilesResponse", labTilesBody(spec({ labTiles: "with-lab-fields" }), identity))).toEqual(
      [],
    );
  });

  it("labs/{id}/state is the lab's States value as a bare JSON string", async () => {
    const stateSchema = await responseSchemaOf("/labs/{lab_id}/state", "get");
    expect(stateSchema.$ref).toBe("#/components/schemas/States");
    for (const lab of spec().labs) {
      expect(check("States", labStateBody(lab))).toEqual([]);
      expect(JSON.stringify(labStateBody(lab))).toBe(`"${lab.state}"`);
    }
  });

  it("documented tiles carry exactly LabUi's fields: no lab state, title or counts", () => {
    const tiles = Object.values(labTilesBody(spec(), identity).lab_tiles);
    expect(tiles).toHaveLength(4);
    for (const tile of tiles) {
      expect(Object.keys(tile).sort()).toEqual([
        "effective_permissions",
        "health",
        "simplified_node_definitions",
        "system_information",
        "topology",
      ]);
      expect(tile).not.toHaveProperty("state");
    }
    const withFields = Object.values(labTilesBody(spec({ labTiles: "with-lab-fields" }), identity).lab_tiles);
    expect(withFields.map((tile) => (tile as { state?: string }).state)).toEqual(
      spec().labs.map((lab) => lab.state),
    );
  });

  it.each([
    ["COMPLETED", "IN_COMPLIANCE"],
    ["UNREGISTERED", "EVAL"],
    ["COMPLETED", "OUT_OF_COMPLIANCE"],
    ["COMPLETED", "AUTHORIZATION_EXPIRED"],
  ])("licensing (%s / %s) is a LicensingStatus", (registration, authorization) => {
    expect(
      check("LicensingStatus", licensingBody(spec({ license: { registration, authorization } }), identity)),
    ).toEqual([]);
  });

  it("error bodies are ErrorResponse and authenticate returns a JWT-shaped string", async () => {
    expect(check("ErrorResponse", errorBody(404, "Lab not found: x"))).toEqual([]);
    const tokenSchema = await responseSchemaOf("/authenticate", "post");
    const token = createTokenStore(60, () => 0).issue("admin");
    expect(check(tokenSchema, token)).toEqual([]);
  });
});

describe("the documented deviations are the only ones", () => {
  it("licensing fails the unmodified document only on the live timestamp format", () => {
    const errors = strict("LicensingStatus", licensingBody(spec(), identity));
    expect(errors.length).toBeGreaterThan(0);
    const timestampFields = ["expires", "attempted", "scheduled", "succeeded", "minEndDate", "maxEndDate"];
    for (const error of errors) {
      expect(timestampFields).toContain(error.instancePath.split("/").at(-1));
    }
    expect(errors.some((error) => error.keyword === "format" && error.params.format === "date-time")).toBe(
      true,
    );
  });

  it("licensing timestamps are YYYY-MM-DD HH:MM:SS", () => {
    const body = licensingBody(spec(), identity);
    expect(body.registration.expires).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  });

  it("2.9.1 system_stats fails the unmodified document only on cpu.hyperthreading", () => {
    const errors = strict("SystemStats", statsJson(spec({ variant: "2.9.1" })));
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) {
      expect(error.keyword).toBe("additionalProperties");
      expect(error.params.additionalProperty).toBe("hyperthreading");
    }
  });

  it("2.9.0 system_stats and every other body pass the unmodified document", () => {
    expect(strict("SystemStats", statsJson(spec({ variant: "2.9.0" })))).toEqual([]);
    expect(strict("SystemInformation", systemInformationBody(spec()))).toEqual([]);
    expect(strict("LabTilesResponse", labTilesBody(spec(), identity))).toEqual([]);
    expect(strict("LabTilesResponse", labTilesBody(spec({ labTiles: "with-lab-fields" }), identity))).toEqual(
      [],
    );
  });
});

describe("byte encodings per variant", () => {
  it("2.9.1 prints memory/disk bytes as floats, 2.9.0 as integers", () => {
    const floats = serializeSystemStats(systemStatsBody(spec({ variant: "2.9.1" }), identity), "2.9.1");
    const ints = serializeSystemStats(systemStatsBody(spec({ variant: "2.9.0" }), identity), "2.9.0");
    expect(floats).toMatch(/"total":\d+\.0[,}]/);
    expect(ints).not.toMatch(/"total":\d+\.0/);
  });
});
