import { z } from "zod";
import { collectIntervalEnv } from "../collect-intervals-env.ts";
import { envVar } from "../env-registry.ts";
import { envBoolean, envCertificatePin, envInt, envSeconds, envString } from "../env-types.ts";
import { jetstreamEnv, natsEnv } from "../nats-env.ts";
import { observabilityEnv } from "../observability-env.ts";

/** Config of `collector-cml`: CML REST API probes (system information, labs, licensing, system stats). */
export const collectorCmlConfigSchema = z.object({
  ...natsEnv,
  ...jetstreamEnv,
  ...observabilityEnv(9466),
  ...collectIntervalEnv.cml,
  CML_USERNAME: envVar(envString().optional(), {
    description:
      "CML user for `/authenticate`; unset = only the unauthenticated `system_information` probe runs.",
  }),
  CML_PASSWORD: envVar(envString().optional(), {
    description: "Password of `CML_USERNAME`.",
    secret: true,
  }),
  CML_VERIFY_TLS: envVar(envBoolean().default(true), {
    description:
      "Verify the CML servers' TLS certificates (CML ships self-signed ones: prefer `CML_CA_FILE` over disabling).",
  }),
  CML_CA_FILE: envVar(envString().optional(), {
    description: "Path to a PEM bundle of extra CAs trusted for CML endpoints.",
  }),
  CML_TLS_SERVER_NAME: envVar(
    envString({
      pattern: /^[A-Za-z0-9*]([A-Za-z0-9.*-]*[A-Za-z0-9])?$/,
      expected: "a DNS host name",
    }).optional(),
    {
      description:
        "Host name every CML certificate must name (also sent as SNI), for CA-signed certificates made for a DNS name while the controllers are reached by IP address. Unset: the endpoint's own host.",
    },
  ),
  CML_TLS_PIN: envVar(envCertificatePin().optional(), {
    description:
      "Pin CML certificates by SHA-256 fingerprint instead of a CA chain and host name (self-signed fleets): `tofu` records each worker's first certificate in KV `cml_tls_pins` (shared by replicas, kept across restarts) and fails with `tls_fingerprint_changed` when it changes; or a comma-separated list of accepted fingerprints. Takes precedence over `CML_VERIFY_TLS` and `CML_CA_FILE`.",
  }),
  CML_CONCURRENCY: envVar(envInt({ min: 1, max: 1024 }).default(32), {
    description: "Maximum CML servers probed at the same time by one replica.",
  }),
  CML_TIMEOUT_SECONDS: envVar(envSeconds({ min: 1, max: 300 }).default(10), {
    description:
      "Overall deadline of one CML HTTP request, from connecting to the last byte of the answer (connecting may take half of it), in seconds.",
  }),
});

/** Typed config of `collector-cml`. */
export type CollectorCmlConfig = z.output<typeof collectorCmlConfigSchema>;
