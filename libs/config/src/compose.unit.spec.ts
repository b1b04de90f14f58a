import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { z } from "zod";
import { configFields } from "./config-fields.ts";
import { loadServiceConfig, SERVICE_NAMES, serviceConfigSchemas } from "./service-schemas.ts";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const COMPOSE_TEXT = readFileSync(resolve(REPO_ROOT, "docker-compose.yml"), "utf8");

/**
 * Variables a container may carry beyond its service schema: read by the AWS SDK, the image (`SERVICE`) or node
 * itself (`NODE_OPTIONS`).
 */
const SDK_AND_IMAGE_VARIABLES =
  /^(AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|AWS_ENDPOINT_URL_[A-Z0-9_]+|SERVICE|NODE_OPTIONS)$/;

const composeSchema = z.object({
  services: z.record(
    z.string(),
    z.object({
      image: z.string().optional(),
      container_name: z.string().optional(),
      build: z
        .object({ context: z.string(), dockerfile: z.string(), args: z.record(z.string(), z.string()) })
        .optional(),
      environment: z
        .record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String))
        .optional(),
      ports: z.array(z.string()).optional(),
      depends_on: z.record(z.string(), z.object({ condition: z.string() })).optional(),
      healthcheck: z.object({ test: z.array(z.string()) }).optional(),
      command: z.array(z.string()).optional(),
      volumes: z.array(z.string()).optional(),
    }),
  ),
  volumes: z.record(z.string(), z.unknown()).optional(),
});

type Compose = z.output<typeof composeSchema>;

/**
 * Compose-style interpolation of `${VAR}`, `${VAR:-default}`, `${VAR-default}` and `${VAR:?message}` (unset or empty:
 * compose refuses to start with the message) from a host environment.
 */
function interpolate(text: string, hostEnv: Record<string, string>): string {
  return text.replace(
    /\$\{([A-Z0-9_]+)(?:(:?-|:\?)([^}]*))?\}/g,
    (_match, name: string, operator: string | undefined, fallback: string | undefined) => {
      const value = hostEnv[name];
      if (operator === ":-") return value === undefined || value === "" ? (fallback ?? "") : value;
      if (operator === "-") return value === undefined ? (fallback ?? "") : value;
      if (operator === ":?") {
        if (value === undefined || value === "")
          throw new Error(`required variable ${name} is missing a value: ${fallback}`);
        return value;
      }
      return value ?? "";
    },
  );
}

/** The one variable compose requires: an operator token for the api. */
const REQUIRED_HOST_ENV = { API_TOKENS: `ops:operator:${"ab".repeat(32)}` };

/** Interpolates every string value after parsing, as compose does (so `KEY: ${X:-}` stays an empty string). */
function interpolateValues(value: unknown, hostEnv: Record<string, string>): unknown {
  if (typeof value === "string") return interpolate(value, hostEnv);
  if (Array.isArray(value)) return value.map((item) => interpolateValues(item, hostEnv));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, interpolateValues(item, hostEnv)]),
    );
  }
  return value;
}

function loadCompose(hostEnv: Record<string, string> = {}): Compose {
  return composeSchema.parse(
    interpolateValues(parse(COMPOSE_TEXT, { merge: true }), { ...REQUIRED_HOST_ENV, ...hostEnv }),
  );
}

function serviceOf(compose: Compose, name: string): Compose["services"][string] {
  const service = compose.services[name];
  if (!service) throw new Error(`docker-compose.yml has no service ${name}`);
  return service;
}

describe("docker-compose.yml", () => {
  const compose = loadCompose();

  it("defines nats, mongo and all seven services", () => {
    expect(Object.keys(compose.services).sort()).toEqual([...SERVICE_NAMES, "mongo", "nats"].sort());
    expect(serviceOf(compose, "nats").image).toMatch(/^nats:2\.10/);
    expect(serviceOf(compose, "nats").command).toEqual(expect.arrayContaining(["-js", "-sd", "/data"]));
    expect(serviceOf(compose, "nats").volumes).toEqual(["nats-data:/data"]);
    expect(serviceOf(compose, "mongo").image).toBe("mongo:7");
    expect(Object.keys(compose.volumes ?? {}).sort()).toEqual(["mongo-data", "nats-data"]);
  });

  it.each(SERVICE_NAMES)("%s is built from the one Dockerfile with its SERVICE", (name) => {
    const service = serviceOf(compose, name);
    expect(service.build).toEqual({ context: ".", dockerfile: "Dockerfile", args: { SERVICE: name } });
    expect(service.environment?.SERVICE).toBe(name);
    expect(service.healthcheck?.test).toEqual(["CMD", "node", "libs/config/src/healthcheck.ts"]);
    expect(service.depends_on?.nats).toEqual({ condition: "service_healthy" });
  });

  it.each(SERVICE_NAMES)("%s sets only variables its config schema knows", (name) => {
    const known = new Set(configFields(serviceConfigSchemas[name]).map((field) => field.name));
    const unknown = Object.keys(serviceOf(compose, name).environment ?? {}).filter(
      (key) => !known.has(key) && !SDK_AND_IMAGE_VARIABLES.test(key),
    );
    expect(unknown).toEqual([]);
  });

  it.each(SERVICE_NAMES)(
    "%s gets every required variable and its environment parses with the compose defaults",
    (name) => {
      const environment = serviceOf(compose, name).environment ?? {};
      const missing = configFields(serviceConfigSchemas[name])
        .filter((field) => field.required && !(field.name in environment))
        .map((field) => field.name);
      expect(missing).toEqual([]);
      expect(() => loadServiceConfig(name, environment)).not.toThrow();
    },
  );

  it("points every service at the nats service and metrics-history at mongo", () => {
    for (const name of SERVICE_NAMES)
      expect(serviceOf(compose, name).environment?.NATS_URL).toBe("nats://nats:4222");
    expect(
      loadServiceConfig("metrics-history", serviceOf(compose, "metrics-history").environment ?? {})
        .MONGODB_URI,
    ).toBe("mongodb://mongo:27017");
    expect(serviceOf(compose, "metrics-history").depends_on?.mongo).toEqual({ condition: "service_healthy" });
  });

  it("publishes the api on API_PORT, on host loopback by default, and follows an API_PORT override", () => {
    const portOf = (c: Compose): { bind: string; host: string; container: string; apiPort: number } => {
      const api = serviceOf(c, "api");
      expect(api.ports).toHaveLength(1);
      const [bind = "", host = "", container = ""] = (api.ports?.[0] ?? "").split(":");
      return { bind, host, container, apiPort: loadServiceConfig("api", api.environment ?? {}).API_PORT };
    };
    expect(portOf(compose)).toEqual({ bind: "127.0.0.1", host: "8080", container: "8080", apiPort: 8080 });
    expect(portOf(loadCompose({ API_PORT: "9090", API_BIND_ADDRESS: "0.0.0.0" }))).toEqual({
      bind: "0.0.0.0",
      host: "9090",
      container: "9090",
      apiPort: 9090,
    });
  });

  it("refuses to start without API_TOKENS, saying what to set: the api would be unreachable from its port", () => {
    for (const API_TOKENS of [undefined, ""]) {
      const hostEnv: Record<string, string> = API_TOKENS === undefined ? {} : { API_TOKENS };
      expect(() => interpolateValues(parse(COMPOSE_TEXT, { merge: true }), hostEnv)).toThrow(
        /API_TOKENS is missing a value: set API_TOKENS \(name:role:sha256hex entries/,
      );
    }
    const api = loadServiceConfig("api", serviceOf(compose, "api").environment ?? {});
    expect(api.API_TOKENS).toHaveLength(1);
    expect(api.API_HOST).toBe("0.0.0.0");
  });

  it("can scale every service: no container_name and no host port except the api", () => {
    for (const [name, service] of Object.entries(compose.services)) {
      expect(service.container_name, name).toBeUndefined();
      if (name !== "api") expect(service.ports, name).toBeUndefined();
    }
  });

  it("passes host values through interpolation", () => {
    const overridden = loadCompose({ CML_PASSWORD: "from-env", CML_REGIONS: "eu-west-1,us-east-2" });
    expect(serviceOf(overridden, "collector-cml").environment?.CML_PASSWORD).toBe("from-env");
    expect(
      loadServiceConfig("collector-ec2", serviceOf(overridden, "collector-ec2").environment ?? {})
        .CML_REGIONS,
    ).toEqual(["eu-west-1", "us-east-2"]);
  });
});
