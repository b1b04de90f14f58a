import {
  type CmlCallHook,
  type CmlCertificatePin,
  type CmlClient,
  type CmlLabReadPath,
  createCmlClient,
  fixedFingerprintPin,
  type TofuPinStore,
  tofuPin,
} from "@cml-telemetry/cml-client";
import type { Logger } from "@cml-telemetry/messaging";
import type { CmlAccessOptions } from "./start-collector-cml.ts";

/** Parallel `labs/{id}/state` calls per controller when labs are read through Cisco's documented calls. */
export const LAB_STATE_CONCURRENCY = 4;

const IDLE_TIMER_MARGIN_MS = 1_000;

/** What {@link createCmlClientFactory} builds clients with. */
export interface CmlClientFactoryDeps {
  readonly cml: CmlAccessOptions;
  /** Trust-on-first-use pins (needed when `cml.pin` is `tofu`). */
  readonly pinStore?: TofuPinStore | undefined;
  readonly logger: Logger;
  /** Every HTTP exchange (self-metrics and extra hooks). */
  readonly onCall: CmlCallHook;
  /** A worker's controller is read through another lab path now. */
  readonly onLabPath?: (path: CmlLabReadPath) => void;
}

/**
 * Builds the per-worker client factory of the collector: credentials, TLS policy (CA, server-name override,
 * certificate pins: a fixed list shared by all, or one trust-on-first-use pin per worker), `CML_TIMEOUT_SECONDS` as
 * each call's overall deadline, and the hooks that log and count. Connecting may take half the deadline (an
 * unanswered connect is reported as such); the idle timers are set past the deadline, which always decides first.
 */
export function createCmlClientFactory(
  deps: CmlClientFactoryDeps,
): (endpoint: string, workerId: string) => CmlClient {
  const { cml, logger } = deps;
  const timeoutMs = cml.timeoutSeconds * 1000;
  const fixedPin = cml.pin?.kind === "fingerprints" ? fixedFingerprintPin(cml.pin.fingerprints) : undefined;
  const pinStore = deps.pinStore;
  if (cml.pin?.kind === "tofu" && pinStore === undefined) {
    throw new TypeError("CML_TLS_PIN=tofu needs a pin store");
  }

  const pinFor = (workerId: string): CmlCertificatePin | undefined => {
    if (cml.pin?.kind !== "tofu" || pinStore === undefined) return fixedPin;
    return tofuPin(pinStore, workerId, (fingerprint) =>
      logger.info({ workerId, source: "cml", fingerprint }, "CML certificate pinned on first use"),
    );
  };

  return (endpoint, workerId) => {
    const pin = pinFor(workerId);
    return createCmlClient({
      baseUrl: endpoint,
      username: cml.username ?? "",
      password: cml.password ?? "",
      verifyTls: cml.verifyTls,
      ...(cml.caPem === undefined ? {} : { caPem: cml.caPem }),
      ...(cml.caFile === undefined ? {} : { caFile: cml.caFile }),
      ...(cml.serverName === undefined ? {} : { serverName: cml.serverName }),
      ...(pin === undefined ? {} : { pin }),
      connectTimeoutMs: Math.ceil(timeoutMs / 2),
      readTimeoutMs: timeoutMs + IDLE_TIMER_MARGIN_MS,
      deadlineMs: timeoutMs,
      labConcurrency: LAB_STATE_CONCURRENCY,
      onCall: deps.onCall,
      onLabPath: (path, reason) => {
        logger.info({ workerId, source: "cml", endpoint, path, reason }, "CML labs read path chosen");
        deps.onLabPath?.(path);
      },
    });
  };
}
