import { isIP } from "node:net";

/**
 * Whether a connection target stays on this machine's loopback interface: `localhost`, an IPv4 address in
 * `127.0.0.0/8`, `::1`, or an IPv4-mapped `::ffff:127.x.y.z`. Any other name or address (`0.0.0.0` and `::`
 * included) is refused: a name could resolve anywhere, and resolving it already asks a DNS server.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  const lower = bare.toLowerCase();
  if (lower === "localhost") return true;
  if (isIP(lower) === 4) return lower.startsWith("127.");
  if (isIP(lower) === 6) {
    if (lower === "::1" || lower === "0:0:0:0:0:0:0:1") return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower)?.[1];
    return mapped?.startsWith("127.") === true;
  }
  return false;
}
