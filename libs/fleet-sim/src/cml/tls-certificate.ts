import { generate } from "selfsigned";

/** PEM key and certificate of a simulated controller. */
export interface SimTlsMaterial {
  keyPem: string;
  certPem: string;
}

/**
 * Generates a self-signed EC certificate, usable as its own CA (`caPem`) by clients that verify TLS. Without
 * `host` it names `localhost` and `127.0.0.1` (the address the controllers are reached on); with `host` it names
 * only that host, like a controller whose certificate was made for its DNS name while it is dialled by IP.
 */
export async function generateSimCertificate(now: Date = new Date(), host?: string): Promise<SimTlsMaterial> {
  const notBefore = new Date(now.getTime() - 60 * 60 * 1000);
  const notAfter = new Date(now.getTime() + 365 * 24 * 60 * 60 * 1000);
  const altNames =
    host === undefined
      ? [
          { type: 2 as const, value: "localhost" },
          { type: 7 as const, ip: "127.0.0.1" },
        ]
      : [{ type: 2 as const, value: host }];
  const pems = await generate([{ name: "commonName", value: host ?? "cml-controller.localhost" }], {
    keyType: "ec",
    algorithm: "sha256",
    notBeforeDate: notBefore,
    notAfterDate: notAfter,
    extensions: [
      { name: "basicConstraints", cA: true },
      { name: "keyUsage", digitalSignature: true, keyCertSign: true },
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames },
    ],
  });
  return { keyPem: pems.private, certPem: pems.cert };
}
