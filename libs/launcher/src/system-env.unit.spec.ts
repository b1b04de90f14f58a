import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_SERVICE_NODE_FLAGS,
  isReadyLine,
  readyLineUrl,
  SERVICE_NAMES,
  SERVICE_NODE_FLAGS,
  SERVICE_PROCESS_ENV,
  serviceNodeFlags,
  serviceProcess,
  simulatorEnv,
} from "./system-env.ts";

describe("isReadyLine", () => {
  it("recognises the ready log line of a service", () => {
    expect(isReadyLine('{"level":"info","service":"api","msg":"api ready"}')).toBe(true);
    expect(isReadyLine('{"level":"info","msg":"ready","service":"collector-cml"}')).toBe(true);
    expect(isReadyLine('{"level":"info","msg":"worker cache synced"}')).toBe(false);
    expect(isReadyLine('{"level":"info","msg":"not ready yet"}')).toBe(false);
  });
});

describe("readyLineUrl", () => {
  it("reads the url a ready line names, and nothing from a line without one or that is not JSON", () => {
    expect(readyLineUrl('{"msg":"api ready","url":"http://127.0.0.1:41234"}')).toBe("http://127.0.0.1:41234");
    expect(readyLineUrl('{"msg":"ready","service":"collector-cml"}')).toBeUndefined();
    expect(readyLineUrl("api ready on port 8080")).toBeUndefined();
    expect(readyLineUrl(undefined)).toBeUndefined();
  });
});

describe("simulatorEnv", () => {
  const sim = {
    url: "http://127.0.0.1:4566",
    caFile: "/data/cml-ca.pem",
    cmlServerName: "cml-controller.fleet-sim.example",
    workers: 20,
  };

  it("points EC2, CloudWatch and the Price List Query API at the simulator", () => {
    expect(simulatorEnv({}, sim, {})).toMatchObject({
      AWS_ENDPOINT_URL_EC2: sim.url,
      AWS_ENDPOINT_URL_CLOUDWATCH: sim.url,
      AWS_ENDPOINT_URL_PRICING: sim.url,
    });
  });

  it("trusts the simulated controllers' certificate by the name it carries, unless the caller chose", () => {
    expect(simulatorEnv({}, sim, {})).toMatchObject({
      CML_CA_FILE: "/data/cml-ca.pem",
      CML_TLS_SERVER_NAME: "cml-controller.fleet-sim.example",
    });
    expect(
      simulatorEnv({ CML_CA_FILE: "/mine.pem", CML_TLS_SERVER_NAME: "cml.example" }, sim, {}),
    ).toMatchObject({ CML_CA_FILE: "/mine.pem", CML_TLS_SERVER_NAME: "cml.example" });
    expect(simulatorEnv({}, { ...sim, cmlServerName: null }, {})).not.toHaveProperty("CML_TLS_SERVER_NAME");
  });
});

describe("SERVICE_NODE_FLAGS", () => {
  it("are the NODE_OPTIONS of the same service in docker-compose.yml, and each is allowed there", () => {
    const compose = readFileSync(resolve(import.meta.dirname, "../../../docker-compose.yml"), "utf8");
    for (const service of SERVICE_NAMES) {
      const start = compose.indexOf(`\n  ${service}:\n`);
      expect(start, service).toBeGreaterThan(0);
      const block = compose.slice(start + 1).split(/\n {2}\S/)[0] ?? "";
      const options = /NODE_OPTIONS: (.+)/.exec(block)?.[1]?.trim() ?? "";
      expect(options, service).toBe(serviceNodeFlags(service).join(" "));
    }
    for (const flag of [...Object.values(SERVICE_NODE_FLAGS).flat(), ...DEFAULT_SERVICE_NODE_FLAGS])
      expect(process.allowedNodeEnvironmentFlags.has(flag.split("=")[0] as string), flag).toBe(true);
  });
});

describe("SERVICE_PROCESS_ENV", () => {
  it("is what the Dockerfile sets for every service image", () => {
    const dockerfile = readFileSync(resolve(import.meta.dirname, "../../../Dockerfile"), "utf8");
    const runtime = dockerfile.slice(dockerfile.indexOf("AS runtime"));
    expect(Object.keys(SERVICE_PROCESS_ENV).length).toBeGreaterThan(0);
    for (const [name, value] of Object.entries(SERVICE_PROCESS_ENV))
      expect(runtime, name).toMatch(new RegExp(`\\b${name}=${value}\\b`));
  });
});

describe("serviceProcess", () => {
  it("runs the service's main.ts with its node flags after the extra ones, under SERVICE_PROCESS_ENV the env overrides", () => {
    const launch = serviceProcess("worker-aggregate", {
      repoRoot: "/repo",
      env: { MALLOC_ARENA_MAX: "4", NATS_URL: "nats://127.0.0.1:4222" },
      extraNodeFlags: ["--import=/guard.ts"],
    });
    expect(launch.args).toEqual([
      "--import=/guard.ts",
      ...serviceNodeFlags("worker-aggregate"),
      "/repo/services/worker-aggregate/src/main.ts",
    ]);
    expect(launch.env).toEqual({
      ...SERVICE_PROCESS_ENV,
      MALLOC_ARENA_MAX: "4",
      NATS_URL: "nats://127.0.0.1:4222",
    });
  });
});
