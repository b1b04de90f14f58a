import { readFileSync } from "node:fs";
import { connect, credsAuthenticator, type NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "./logger.ts";

/** How to reach NATS. */
export interface NatsConnectOptions {
  /** One or more comma-separated server URLs, e.g. `nats://127.0.0.1:4222`. */
  readonly url: string;
  /** Path of a `.creds` file (NATS_CREDS). */
  readonly creds?: string | undefined;
  /** Connection name shown by the server (the service name). */
  readonly name: string;
  readonly logger: Logger;
  /** How long to keep trying the first connection, ms (default 30 s). */
  readonly initialTimeoutMs?: number;
}

/**
 * Connects with unlimited reconnects and logs every status change. The first connection is retried until
 * `initialTimeoutMs` so services may start before NATS does.
 */
export async function connectNats(options: NatsConnectOptions): Promise<NatsConnection> {
  const servers = options.url.split(",").map((server) => server.trim());
  const authenticator = options.creds ? credsAuthenticator(readFileSync(options.creds)) : undefined;
  const deadline = Date.now() + (options.initialTimeoutMs ?? 30_000);
  let attempt = 0;
  for (;;) {
    attempt += 1;
    try {
      const nc = await connect({
        servers,
        name: options.name,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 1_000,
        waitOnFirstConnect: false,
        // Async stack traces cost two Error objects per request; the services' hot paths make many requests.
        noAsyncTraces: true,
        ...(authenticator ? { authenticator } : {}),
      });
      options.logger.info({ server: nc.getServer(), attempt }, "connected to NATS");
      void logStatus(nc, options.logger);
      return nc;
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(`cannot connect to NATS at ${options.url}: ${(error as Error).message}`, {
          cause: error,
        });
      }
      options.logger.warn(
        { url: options.url, attempt, err: (error as Error).message },
        "NATS not reachable yet, retrying",
      );
      await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, 200 * attempt)));
    }
  }
}

async function logStatus(nc: NatsConnection, logger: Logger): Promise<void> {
  for await (const status of nc.status()) {
    switch (status.type) {
      case "disconnect":
        logger.warn({ server: status.server }, "NATS disconnected; reconnecting");
        break;
      case "reconnect":
        logger.info({ server: status.server }, "NATS reconnected");
        break;
      case "error":
        logger.error({ err: String(status.error) }, "NATS connection error");
        break;
      case "ldm":
        logger.warn({ server: status.server }, "NATS server entering lame duck mode");
        break;
      default:
        break;
    }
  }
}
