import {
  SIMULATED_CML_RESPONSE_KINDS,
  type SimulatedCmlResponseKind,
  simulatedCmlResponses,
} from "@cml-telemetry/fleet-sim/testing";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  authTokenSchema,
  errorBodySchema,
  labIdListSchema,
  labSchema,
  labStateSchema,
  labTilesEnvelopeSchema,
  licensingSchema,
  systemInformationSchema,
  systemStatsSchema,
} from "./schemas.ts";

/** The schema this client parses each answer with. */
const CLIENT_SCHEMA: Record<SimulatedCmlResponseKind, z.ZodType> = {
  system_information: systemInformationSchema,
  system_stats: systemStatsSchema,
  labs: labIdListSchema,
  lab: labSchema,
  lab_state: labStateSchema,
  lab_tiles: labTilesEnvelopeSchema,
  licensing: licensingSchema,
  error: errorBodySchema,
  authenticate: authTokenSchema,
};

const responses = simulatedCmlResponses();

describe("the fleet simulator's CML answers against this client's schemas", () => {
  it("cover every kind of answer the simulator gives", () => {
    expect(new Set(responses.map((response) => response.kind))).toEqual(
      new Set(SIMULATED_CML_RESPONSE_KINDS),
    );
  });

  it.each(responses.map((response) => [response.kind, response.label, response] as const))(
    "%s (%s) parses",
    (_kind, _label, response) => {
      const parsed = CLIENT_SCHEMA[response.kind].safeParse(response.body);
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    },
  );
});
