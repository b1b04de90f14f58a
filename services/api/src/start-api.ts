import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { ApiToken } from "@cml-telemetry/config";
import type { Topology } from "@cml-telemetry/contracts";
import { createOpsPublisher, openWorkersKv, provisionTopology } from "@cml-telemetry/messaging";
import { serve } from "@hono/node-server";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "pino";
import type { AppSettings } from "./app/app-deps.ts";
import { type ApiApp, createApp } from "./app/create-app.ts";
import { createTokenAuthenticator } from "./auth/token-authenticator.ts";
import { createApiMetrics } from "./metrics/create-api-metrics.ts";
import { connectionOpsFrom } from "./nats/connection-ops-adapter.ts";
import { startJetStreamEventFeed } from "./nats/jetstream-event-feed.ts";
import { openKvRefreshLedger } from "./nats/kv-refresh-ledger.ts";
import { createNatsCommandPublisher } from "./nats/nats-command-publisher.ts";
import { createNatsHistoryClient } from "./nats/nats-history-client.ts";
import type { PriceBook, WorkerReadModel } from "./ports.ts";
import { startKvPriceBook } from "./read-model/kv-price-book.ts";
import { startKvWorkerReadModel } from "./read-model/kv-worker-read-model.ts";

/** What {@link startApi} needs: an open NATS connection and the resolved config. */
export interface StartApiOptions {
  nc: NatsConnection;
  topology: Topology;
  logger: Logger;
  tokens: readonly ApiToken[];
  host: string;
  /** 0 = any free port. */
  port: number;
  settings?: Partial<AppSettings>;
  /** Wait for the worker cache to be synced before listening (default true). */
  waitForSync?: boolean;
}

/** A running API process. */
export interface RunningApi {
  api: ApiApp;
  readModel: WorkerReadModel;
  prices: PriceBook;
  server: Server;
  url: string;
  /** Graceful stop: live clients get `server_shutdown`, the server closes, feeds stop; NATS stays open. */
  stop(): Promise<void>;
}

function trackConnected(nc: NatsConnection): () => boolean {
  let connected = !nc.isClosed();
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === "disconnect") connected = false;
      else if (status.type === "reconnect") connected = true;
    }
  })();
  return () => connected && !nc.isClosed();
}

/**
 * Composes the API on an open NATS connection: provisions the topology (idempotent), starts the KV watches (workers,
 * prices) and the shared domain event consumer, and serves HTTP + WebSocket.
 */
export async function startApi(options: StartApiOptions): Promise<RunningApi> {
  const { nc, topology, logger } = options;
  await provisionTopology(nc, topology, { logger });
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  const readModel = await startKvWorkerReadModel(await openWorkersKv(nc, topology), logger);
  const prices = await startKvPriceBook(await new Kvm(js).open(topology.kv.prices.bucket), logger);
  if (options.waitForSync !== false) await Promise.all([readModel.synced, prices.synced]);
  const feed = await startJetStreamEventFeed({
    nc,
    js,
    jsm,
    stream: topology.streams.workerEvents.name,
    logger,
  });
  const opsPublisher = createOpsPublisher({ nc, service: "api", logger });
  const metrics = createApiMetrics();
  const api = createApp({
    readModel,
    prices,
    commands: createNatsCommandPublisher(js),
    history: createNatsHistoryClient(nc),
    feed,
    ops: connectionOpsFrom(opsPublisher),
    refreshLedger: await openKvRefreshLedger(nc, topology, logger),
    logger,
    metrics,
    authenticator: createTokenAuthenticator(options.tokens),
    isNatsConnected: trackConnected(nc),
    ...(options.settings ? { settings: options.settings } : {}),
  });
  const server = await new Promise<Server>((resolve) => {
    const started = serve({ fetch: api.app.fetch, hostname: options.host, port: options.port }, () =>
      resolve(started as Server),
    ) as Server;
  });
  api.injectWebSocket(server);
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    api,
    readModel,
    prices,
    server,
    url: `http://${host}:${address.port}`,
    async stop() {
      api.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await feed.stop();
      await readModel.stop();
      await prices.stop();
      await opsPublisher.flush();
      await metrics.shutdown();
    },
  };
}
