/**
 * Checks against cross-site use of the API from a browser: DNS rebinding (a foreign `Host`) and cross-site writes
 * or WebSocket upgrades (a foreign `Origin`). Pure functions over header values.
 */

/** The host name of a `Host` value (`name[:port]`, `[v6][:port]`), lowercase, without the port. */
export function hostName(host: string): string {
  const value = host.trim().toLowerCase();
  if (value.startsWith("[")) {
    const end = value.indexOf("]");
    return end < 0 ? value : value.slice(0, end + 1);
  }
  const colon = value.lastIndexOf(":");
  return colon < 0 ? value : value.slice(0, colon);
}

/** Whether a `Host` value names this machine: `localhost`, `127.0.0.0/8` or `[::1]` (any port). */
export function isLoopbackHost(host: string): boolean {
  const name = hostName(host);
  return name === "localhost" || name === "[::1]" || /^127(\.\d{1,3}){3}$/.test(name);
}

/** The `host[:port]` of a URL string (`scheme://authority/…`), lowercase; "" when it has none. */
export function authorityOf(url: string): string {
  const start = url.indexOf("//");
  if (start < 0) return "";
  const rest = url.slice(start + 2);
  const end = rest.search(/[/?#]/);
  return (end < 0 ? rest : rest.slice(0, end)).toLowerCase();
}

/**
 * Whether a browser request from `origin` may change state or open a WebSocket: no `Origin` (not a browser, or a
 * same-origin GET), the API's own origin (its `Host`, or the `X-Forwarded-Host` a proxy in front of it passes), or
 * one of the configured CORS origins (`*` allows any). `Origin: null` (sandboxed pages, file URLs) is foreign.
 */
export function isOriginAllowed(
  origin: string | undefined,
  hosts: ReadonlyArray<string | undefined>,
  corsOrigins: readonly string[],
): boolean {
  if (origin === undefined) return true;
  if (corsOrigins.includes("*") || corsOrigins.includes(origin)) return true;
  const authority = authorityOf(origin);
  if (authority === "") return false;
  return hosts.some((host) => host !== undefined && host.trim().toLowerCase() === authority);
}
