import { type Collection, type Db, MongoServerError } from "mongodb";
import type { HistoryStoreLogger } from "../logger.ts";
import type { MetricDocument } from "./sample-document.ts";

/** The time-series collection holding metric history (DESIGN §6). */
export const METRICS_COLLECTION = "worker_metrics_timeseries";

/** Secondary index serving every query: one worker over a time range. */
export const WORKER_TIME_INDEX = { "meta.workerId": 1, timestamp: 1 } as const;

const NAMESPACE_EXISTS = 48;

type CollectionInfo = { type?: string; options?: { timeseries?: unknown; expireAfterSeconds?: unknown } };

/**
 * Create `worker_metrics_timeseries` if missing (timeField `timestamp`, metaField `meta`, granularity minutes,
 * TTL `expireAfterSeconds`), make sure its TTL matches, and create the worker/time index. Safe to run
 * concurrently from several replicas.
 * @throws Error when a collection of that name exists but is not a time-series collection.
 */
export async function ensureMetricsCollection(
  db: Db,
  expireAfterSeconds: number,
  logger: HistoryStoreLogger,
): Promise<Collection<MetricDocument>> {
  if ((await readCollectionInfo(db)) === undefined) {
    try {
      await db.createCollection(METRICS_COLLECTION, {
        timeseries: { timeField: "timestamp", metaField: "meta", granularity: "minutes" },
        expireAfterSeconds,
      });
      logger.info(
        { collection: METRICS_COLLECTION, expireAfterSeconds },
        "created metrics time-series collection",
      );
    } catch (error) {
      if (!(error instanceof MongoServerError && error.code === NAMESPACE_EXISTS)) throw error;
    }
  }
  await ensureRetentionTtl(db, expireAfterSeconds, logger);
  const collection = db.collection<MetricDocument>(METRICS_COLLECTION);
  await collection.createIndex(WORKER_TIME_INDEX, { name: "workerId_timestamp" });
  return collection;
}

/**
 * Verify the collection's TTL equals `expireAfterSeconds`, correcting it with `collMod` when it differs.
 * Returns whether a change was needed.
 */
export async function ensureRetentionTtl(
  db: Db,
  expireAfterSeconds: number,
  logger: HistoryStoreLogger,
): Promise<boolean> {
  const info = await readCollectionInfo(db);
  if (info === undefined) throw new Error(`collection ${METRICS_COLLECTION} does not exist`);
  if (info.type !== "timeseries" || info.options?.timeseries === undefined) {
    throw new Error(
      `collection ${METRICS_COLLECTION} exists but is not a time-series collection; drop or rename it`,
    );
  }
  const current = info.options.expireAfterSeconds;
  if (current !== undefined && Number(current) === expireAfterSeconds) return false;
  await db.command({ collMod: METRICS_COLLECTION, expireAfterSeconds });
  logger.info(
    { collection: METRICS_COLLECTION, previous: current ?? null, expireAfterSeconds },
    "updated metrics retention TTL",
  );
  return true;
}

async function readCollectionInfo(db: Db): Promise<CollectionInfo | undefined> {
  const [info] = await db.listCollections({ name: METRICS_COLLECTION }, { nameOnly: false }).toArray();
  return info as CollectionInfo | undefined;
}
