import type { SeededRandom } from "./seeded-random.ts";

/** First octets of AWS's public EC2 address ranges; a simulated address carries one as its second octet. */
const AWS_FIRST_OCTETS = [3, 18, 34, 52, 54] as const;

/**
 * A public IP for a simulated instance: a loopback address such as `127.54.17.203`. A worker without a
 * `cml:endpoint` tag gets the endpoint `https://<publicIp>`, so whatever probes it (collector-cml in tests,
 * benches or `npm start`) meets a refused connection on this machine instead of reaching a host on the internet.
 */
export function simulatedPublicIp(random: SeededRandom): string {
  return `127.${random.pick(AWS_FIRST_OCTETS)}.${random.int(0, 255)}.${random.int(1, 254)}`;
}
