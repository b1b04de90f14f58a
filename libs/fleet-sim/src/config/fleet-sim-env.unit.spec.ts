import { describe, expect, it } from "vitest";
import { FleetSimConfigError, parseFleetSimEnv } from "./fleet-sim-env.ts";

describe("parseFleetSimEnv", () => {
  it("applies the documented defaults", () => {
    expect(parseFleetSimEnv({})).toMatchObject({
      port: 4566,
      workers: 20,
      untagged: 1,
      regions: ["us-east-1", "eu-west-1"],
      workerTagKey: "cml:worker",
      cml: true,
      cmlCertificateHost: "cml-controller.fleet-sim.example",
      dataDir: ".data/fleet-sim",
    });
  });

  it("reads overrides and falls back to CML_WORKER_TAG", () => {
    const config = parseFleetSimEnv({
      FLEET_SIM_PORT: "0",
      FLEET_SIM_WORKERS: "3",
      FLEET_SIM_REGIONS: "ap-southeast-2, us-west-2",
      FLEET_SIM_CML: "off",
      CML_WORKER_TAG: "lab:worker",
    });
    expect(config).toMatchObject({
      port: 0,
      workers: 3,
      regions: ["ap-southeast-2", "us-west-2"],
      cml: false,
      workerTagKey: "lab:worker",
    });
  });

  it("gives every controller a varied set of labs unless a lab profile is set", () => {
    expect(parseFleetSimEnv({}).labs).toBeUndefined();
    expect(parseFleetSimEnv({ FLEET_SIM_LABS_ONE_IN: "4" }).labs).toEqual({ oneIn: 4, count: 8, running: 2 });
    expect(
      parseFleetSimEnv({
        FLEET_SIM_LABS_ONE_IN: "2",
        FLEET_SIM_LABS_PER_WORKER: "3",
        FLEET_SIM_RUNNING_LABS_PER_WORKER: "5",
      }).labs,
    ).toEqual({ oneIn: 2, count: 3, running: 3 });
  });

  it("names every invalid variable", () => {
    expect(() =>
      parseFleetSimEnv({ FLEET_SIM_PORT: "70000", FLEET_SIM_REGIONS: "mars", FLEET_SIM_CML: "maybe" }),
    ).toThrow(FleetSimConfigError);
    try {
      parseFleetSimEnv({ FLEET_SIM_PORT: "70000", FLEET_SIM_REGIONS: "mars" });
    } catch (error) {
      expect((error as Error).message).toMatch(/FLEET_SIM_PORT/);
      expect((error as Error).message).toMatch(/FLEET_SIM_REGIONS/);
    }
  });
});
