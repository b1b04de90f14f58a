import { generate } from "selfsigned";

/** PEM key and certificate of a simulated controller. */
export interface SimTlsMaterial {
  keyPem: string;
  certPem: string;
}

/**
 * Generates a self-signed EC certificate for `localhost` / `127.0.0.1`, usable as its own CA
 * (`caPem`) by clients that verify TLS.
 */
export async function generateSimCertificate(now: Date = new Date()): Promise<SimTlsMaterial> {
  const notBefore = new Date(now.getTime() - 60 * 60 * 1000);
  const notAfter = new Date(now.getTime() + 365 * 24 * 60 * 60 * 1000);
  const pems = await generate([{ name: "commonName", value: "cml-controller.localhost" }], {
    keyType: "ec",
    algorithm: "sha256",
    notBeforeDate: notBefore,
    notAfterDate: notAfter,
    extensions: [
      { name: "basicConstraints", cA: true },
      { name: "keyUsage", digitalSignature: true, keyCertSign: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          { type: 7, ip: "127.0.0.1" },
        ],
      },
    ],
  });
  return { keyPem: pems.private, certPem: pems.cert };
}
