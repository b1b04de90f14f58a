import type { TLSSocket } from "node:tls";
import { buildConnector } from "undici";
import type { CmlCertificatePin } from "./certificate-pin.ts";
import { secureContextFor } from "./secure-context.ts";

/** How one controller's certificate is checked. */
export interface CmlTlsPolicy {
  /** Verify the chain and host name (ignored with `pin`: the pin decides). */
  verifyTls: boolean;
  /** PEM bundle trusted instead of the system roots. */
  caPem?: string | undefined;
  /** Name sent as SNI and checked against the certificate instead of the address dialled. */
  serverName?: string | undefined;
  /** Accepts or refuses the certificate by its SHA-256 fingerprint, instead of a CA chain and name. */
  pin?: CmlCertificatePin | undefined;
  connectTimeoutMs: number;
}

/** A connection refused because the certificate did not match the pin; the transport names the call. */
export class PinnedCertificateMismatch extends Error {
  readonly fingerprint: string;
  readonly expected: readonly string[];

  constructor(fingerprint: string, expected: readonly string[]) {
    super(`certificate fingerprint ${fingerprint} is not the pinned one`);
    this.name = "PinnedCertificateMismatch";
    this.fingerprint = fingerprint;
    this.expected = expected;
  }
}

/** The pin could not be decided (e.g. its store is unreachable): the connection is refused, never trusted. */
export class CertificatePinUnavailable extends Error {
  constructor(options: { cause: unknown }) {
    super("the certificate pin could not be checked", options);
    this.name = "CertificatePinUnavailable";
  }
}

/** SHA-256 fingerprint of the peer's certificate as pins compare it (lowercase hex, no colons). */
function peerFingerprint(socket: TLSSocket): string {
  return socket.getPeerCertificate().fingerprint256.replace(/:/g, "").toLowerCase();
}

/**
 * Builds the undici `connect` function of one controller. With a pin, the chain is not verified (self-signed
 * controllers) but nothing is sent before the certificate's fingerprint is accepted; TLS sessions are not resumed,
 * so every connection shows its certificate. Without a pin, the controller's last TLS session is kept so the next
 * connection resumes it (undici's own cache only holds sessions weakly, and a collection a minute later finds them
 * collected): no certificate chain to check again, a cheaper handshake on both ends. A server-name override
 * replaces the dialled address for SNI and for the host-name check.
 */
export function createTlsConnector(policy: CmlTlsPolicy): buildConnector.connector {
  const pin = policy.pin;
  // Holds the latest session this controller gave: undici's session cache resumes it while someone holds it.
  const held: { session?: Buffer } = {};
  const keepSession = (session: Buffer) => {
    held.session = session;
  };
  const connect = buildConnector({
    timeout: policy.connectTimeoutMs,
    rejectUnauthorized: pin === undefined ? policy.verifyTls : false,
    ...(pin === undefined && policy.caPem !== undefined
      ? { secureContext: secureContextFor(policy.caPem) }
      : {}),
    ...(pin === undefined ? {} : { maxCachedSessions: 0 }),
  });
  return (options, callback) => {
    const target = policy.serverName === undefined ? options : { ...options, servername: policy.serverName };
    connect(target, (error, socket) => {
      if (error === null && pin === undefined) (socket as TLSSocket).on("session", keepSession);
      if (error !== null || pin === undefined) {
        callback(...([error, socket] as Parameters<buildConnector.Callback>));
        return;
      }
      const fingerprint = peerFingerprint(socket as TLSSocket);
      Promise.resolve()
        .then(() => pin(fingerprint))
        .then(
          (verdict) => {
            if (verdict.accepted) return callback(null, socket);
            socket.destroy();
            callback(new PinnedCertificateMismatch(fingerprint, verdict.expected), null);
          },
          (cause: unknown) => {
            socket.destroy();
            callback(new CertificatePinUnavailable({ cause }), null);
          },
        );
    });
  };
}
