import { describeOrSkip } from "@cml-telemetry/testing";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type CmlSchemaCheck,
  loadCmlSchemaCheck,
  locateCmlOpenApi,
  responseSchemaOf,
} from "../testing/cml-openapi.ts";
import {
  type SimulatedCmlResponseKind,
  simulatedCmlResponses,
  simulatedCmlSpec,
  simulatedLicensing,
  simulatedSystemStats,
} from "../testing/simulated-cml-responses.ts";
import {
  labStateBody,
  labTilesBody,
  serializeSystemStats,
  simIdentity,
  systemInformationBody,
  systemStatsBody,
} from "./cml-responses.ts";

const identity = simIdentity("worker-a", 8, Date.UTC(2026, 0, 10, 8, 30, 0));
const openApi = locateCmlOpenApi();

/** Where each answer is described in Cisco's document: a component schema, or a path's inline 200 schema. */
const OPENAPI_SCHEMA: Record<SimulatedCmlResponseKind, string | { path: string; method: "get" | "post" }> = {
  system_information: "SystemInformation",
  system_stats: "SystemStats",
  labs: { path: "/labs", method: "get" },
  lab: "LabResponse",
  lab_state: "States",
  lab_tiles: "LabTilesResponse",
  licensing: "LicensingStatus",
  error: "ErrorResponse",
  authenticate: { path: "/authenticate", method: "post" },
};

describeOrSkip(
  "simulated CML answers against Cisco's CML 2.9 OpenAPI",
  "skipReason" in openApi ? openApi.skipReason : undefined,
  () => {
    const documentPath = "path" in openApi ? openApi.path : "";
    let check: CmlSchemaCheck;
    let strict: CmlSchemaCheck;

    beforeAll(async () => {
      check = await loadCmlSchemaCheck(documentPath, { deviations: true });
      strict = await loadCmlSchemaCheck(documentPath, { deviations: false });
    });

    describe("every answer matches its schema (with the documented deviations)", () => {
      it.each(simulatedCmlResponses().map((response) => [response.kind, response.label, response] as const))(
        "%s (%s)",
        async (_kind, _label, response) => {
          const schema = OPENAPI_SCHEMA[response.kind];
          const resolved =
            typeof schema === "string"
              ? schema
              : await responseSchemaOf(documentPath, schema.path, schema.method);
          expect(check(resolved, response.body)).toEqual([]);
        },
      );
    });

    it("labs/{id}/state is documented as the States schema", async () => {
      const stateSchema = await responseSchemaOf(documentPath, "/labs/{lab_id}/state", "get");
      expect(stateSchema.$ref).toBe("#/components/schemas/States");
    });

    describe("the documented deviations are the only ones", () => {
      it("licensing fails the unmodified document only on the live timestamp format", () => {
        const errors = strict("LicensingStatus", simulatedLicensing());
        expect(errors.length).toBeGreaterThan(0);
        const timestampFields = [
          "expires",
          "attempted",
          "scheduled",
          "succeeded",
          "minEndDate",
          "maxEndDate",
        ];
        for (const error of errors) {
          expect(timestampFields).toContain(error.instancePath.split("/").at(-1));
        }
        expect(
          errors.some((error) => error.keyword === "format" && error.params.format === "date-time"),
        ).toBe(true);
      });

      it("2.9.1 system_stats fails the unmodified document only on cpu.hyperthreading", () => {
        const errors = strict("SystemStats", simulatedSystemStats(simulatedCmlSpec({ variant: "2.9.1" })));
        expect(errors.length).toBeGreaterThan(0);
        for (const error of errors) {
          expect(error.keyword).toBe("additionalProperties");
          expect(error.params.additionalProperty).toBe("hyperthreading");
        }
      });

      it("2.9.0 system_stats and every other body pass the unmodified document", () => {
        expect(strict("SystemStats", simulatedSystemStats(simulatedCmlSpec({ variant: "2.9.0" })))).toEqual(
          [],
        );
        expect(strict("SystemInformation", systemInformationBody(simulatedCmlSpec()))).toEqual([]);
        expect(strict("LabTilesResponse", labTilesBody(simulatedCmlSpec(), identity))).toEqual([]);
      });
    });
  },
);

describe("simulated CML answers", () => {
  it("system_stats with unknown running nodes has null dominfo counts", () => {
    const body = simulatedSystemStats(simulatedCmlSpec({ runningNodes: null }));
    expect(JSON.stringify(body)).toContain('"running_nodes":null');
  });

  it("labs/{id}/state is the lab's state as a bare JSON string", () => {
    for (const lab of simulatedCmlSpec().labs) {
      expect(JSON.stringify(labStateBody(lab))).toBe(`"${lab.state}"`);
    }
  });

  it("documented tiles carry exactly LabUi's fields: no lab state, title or counts", () => {
    const tiles = Object.values(labTilesBody(simulatedCmlSpec(), identity).lab_tiles);
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
    const withFields = Object.values(
      labTilesBody(simulatedCmlSpec({ labTiles: "with-lab-fields" }), identity).lab_tiles,
    );
    expect(withFields.map((tile) => (tile as { state?: string }).state)).toEqual(
      simulatedCmlSpec().labs.map((lab) => lab.state),
    );
  });

  it("licensing timestamps are YYYY-MM-DD HH:MM:SS", () => {
    expect(simulatedLicensing().registration.expires).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  });

  it("2.9.1 prints memory/disk bytes as floats, 2.9.0 as integers", () => {
    const spec = (variant: "2.9.0" | "2.9.1") => simulatedCmlSpec({ variant });
    const floats = serializeSystemStats(systemStatsBody(spec("2.9.1"), identity), "2.9.1");
    const ints = serializeSystemStats(systemStatsBody(spec("2.9.0"), identity), "2.9.0");
    expect(floats).toMatch(/"total":\d+\.0[,}]/);
    expect(ints).not.toMatch(/"total":\d+\.0/);
  });
});
