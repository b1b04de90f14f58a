import { describe, expect, it } from "vitest";
import {
  labSchema,
  labTilesEnvelopeSchema,
  labTileWithStateSchema,
  licensingSchema,
  systemInformationSchema,
} from "./schemas.ts";

describe("CML response schemas", () => {
  it("keep unknown system_information fields (raw body is forwarded) and accept a null oui", () => {
    const parsed = systemInformationSchema.parse({
      version: "2.11.0+sso",
      ready: true,
      allow_ssh_pubkey_auth: false,
      oui: null,
      features: ["x"],
    });
    expect(parsed).toMatchObject({ oui: null, features: ["x"] });
  });

  it("reject a system_information without ready", () => {
    expect(systemInformationSchema.safeParse({ version: "2.9.0+build.3" }).success).toBe(false);
  });

  it("accept lab bodies and tiles with extra fields", () => {
    const lab = {
      id: "90f84e38-a71c-4d57-8d90-00fa8a197385",
      lab_title: "Lab",
      state: "STARTED",
      node_count: 55,
      effective_permissions: ["lab_view"],
    };
    expect(labSchema.parse(lab).state).toBe("STARTED");
    const tiles = labTilesEnvelopeSchema.parse({ lab_tiles: { [lab.id]: { ...lab, topology: {} } } });
    expect(labTileWithStateSchema.parse(tiles.lab_tiles[lab.id]).state).toBe("STARTED");
  });

  it("tell a tile the fast path can use from Cisco's documented LabUi tile (no state) or an unknown state", () => {
    const labUi = {
      topology: {},
      health: {},
      system_information: { version: "2.9.1+build.7", ready: true },
      simplified_node_definitions: [],
      effective_permissions: ["lab_view"],
    };
    expect(labTilesEnvelopeSchema.safeParse({ lab_tiles: { a: labUi } }).success).toBe(true);
    expect(labTileWithStateSchema.safeParse(labUi).success).toBe(false);
    expect(labTileWithStateSchema.safeParse({ ...labUi, state: "BOOTED" }).success).toBe(false);
    expect(labTilesEnvelopeSchema.safeParse({ labs: [] }).success).toBe(false);
  });

  it("accept licensing with live timestamps, nulls and unknown statuses", () => {
    const parsed = licensingSchema.parse({
      registration: { status: "SOMETHING_NEW", expires: "2026-08-20 17:25:30", smart_account: null },
      authorization: { status: "IN_COMPLIANCE", expires: null, renew_time: null },
      features: [{ id: "regid.x", status: "WAITING", in_use: 0 }],
      transport: { proxy: { server: null, port: null } },
    });
    expect(parsed.registration?.status).toBe("SOMETHING_NEW");
  });
});
