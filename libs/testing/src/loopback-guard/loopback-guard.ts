/**
 * Preload (`node --import <this file>`) that refuses every connection leaving the loopback interface. It wraps
 * `net.Socket.prototype.connect`, which `net.connect`, `tls.connect`, `http`/`https`, undici (`fetch`), the NATS
 * and MongoDB clients and the AWS SDK all open their TCP connections through, and UDP `send`/`connect` of `dgram`.
 * A refused connection throws {@link NonLoopbackConnectionError} before any packet is sent, and is recorded, with
 * the stack that asked for it, in the file named by `CML_LOOPBACK_GUARD_FILE` (one JSON line each; the guard also
 * records that it is active in this process there), so a test can fail on it even where the caller swallows the
 * error (a collector turns it into a failed observation).
 */
import dgram from "node:dgram";
import { appendFileSync } from "node:fs";
import net from "node:net";
import { isLoopbackHost } from "./is-loopback-host.ts";
import { LOOPBACK_GUARD_FILE_ENV, type LoopbackGuardRecord } from "./loopback-guard-report.ts";

/** A connection to a non-loopback address was refused by the loopback guard. */
export class NonLoopbackConnectionError extends Error {
  readonly code = "ERR_NON_LOOPBACK_CONNECTION";
  constructor(host: string, port: string) {
    super(
      `loopback guard: connection to ${host}:${port} refused (only 127.0.0.0/8, ::1 and localhost are allowed)`,
    );
    this.name = "NonLoopbackConnectionError";
  }
}

const reportFile = process.env[LOOPBACK_GUARD_FILE_ENV];

function record(entry: LoopbackGuardRecord): void {
  if (reportFile) appendFileSync(reportFile, `${JSON.stringify(entry)}\n`);
}

function refuse(protocol: "tcp" | "udp", host: string, port: unknown): never {
  const error = new NonLoopbackConnectionError(host, String(port));
  record({
    event: "blocked",
    pid: process.pid,
    protocol,
    host,
    port: String(port),
    stack: error.stack ?? "",
  });
  process.stderr.write(`${error.message}\n`);
  throw error;
}

/** The host a `Socket#connect` call targets, or undefined for a local (IPC) socket path. */
function tcpTarget(args: unknown[]): { host: string; port: unknown } | undefined {
  const first = args[0];
  // `net.connect` hands over its arguments already normalised: [options, callback].
  const options = Array.isArray(first) ? first[0] : first;
  if (typeof options === "object" && options !== null) {
    const { host, port, path } = options as { host?: unknown; port?: unknown; path?: unknown };
    if (typeof path === "string" && port === undefined) return undefined;
    return { host: typeof host === "string" && host !== "" ? host : "localhost", port };
  }
  if (typeof options === "string" && !/^\d+$/.test(options)) return undefined;
  return { host: typeof args[1] === "string" ? args[1] : "localhost", port: options };
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
  const target = tcpTarget(args);
  if (target && !isLoopbackHost(target.host)) refuse("tcp", target.host, target.port);
  return (connect as (...inner: unknown[]) => net.Socket).apply(this, args);
} as typeof connect;

/** UDP `send`: the address is the first string argument after the message, the port the argument before it. */
const send = dgram.Socket.prototype.send;
dgram.Socket.prototype.send = function guardedSend(this: dgram.Socket, ...args: unknown[]) {
  const index = args.findIndex((arg, position) => position > 0 && typeof arg === "string");
  const address = index > 0 ? (args[index] as string) : undefined;
  if (address !== undefined && !isLoopbackHost(address)) refuse("udp", address, args[index - 1]);
  return (send as (...inner: unknown[]) => void).apply(this, args);
} as typeof send;
const udpConnect = dgram.Socket.prototype.connect;
dgram.Socket.prototype.connect = function guardedUdpConnect(this: dgram.Socket, ...args: unknown[]) {
  const address = typeof args[1] === "string" ? args[1] : undefined;
  if (address !== undefined && !isLoopbackHost(address)) refuse("udp", address, args[0]);
  return (udpConnect as (...inner: unknown[]) => void).apply(this, args);
} as typeof udpConnect;

record({ event: "active", pid: process.pid, entry: process.argv[1] ?? "" });
