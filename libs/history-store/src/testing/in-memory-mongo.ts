import { aggregate } from "mingo";
import { type Document, type MongoClient, MongoServerError } from "mongodb";

/** MongoDB's error code for a pipeline stage the server does not know. */
const UNRECOGNIZED_PIPELINE_STAGE = 40324;

type StoredCollection = { options: Document; documents: Document[]; indexes: Document[] };

/** An in-process stand-in for the part of a MongoDB deployment the history store uses. */
export type InMemoryMongo = {
  /** Pass as `createMongoStore({ client, ... })`. */
  client: MongoClient;
  /** Make the next `count` database operations fail with `error` (to exercise retries). */
  failNext(count: number, error: Error): void;
  /** The live document array of a collection, to inspect or to plant documents behind the store's back. */
  documents(dbName: string, collectionName: string): Document[];
};

/**
 * A minimal MongoDB client over plain arrays, evaluating filters and pipelines with mingo: enough for
 * `createMongoStore` (collections and their options, `collMod`, indexes, insertMany, find with sort/projection,
 * aggregate, countDocuments). It lets the MongoDB store's own logic run the contract suite without a server;
 * server behaviour itself (time-series buckets, TTL expiry, storage sizes: `$collStats` is refused) is only covered
 * when `MONGODB_URI` is set.
 */
export function createInMemoryMongo(): InMemoryMongo {
  const databases = new Map<string, Map<string, StoredCollection>>();
  let pendingFailures = 0;
  let failure: Error = new Error("no failure configured");
  let nextId = 0;

  const maybeFail = (): void => {
    if (pendingFailures > 0) {
      pendingFailures--;
      throw failure;
    }
  };
  const collectionsOf = (dbName: string): Map<string, StoredCollection> => {
    let collections = databases.get(dbName);
    if (collections === undefined) {
      collections = new Map();
      databases.set(dbName, collections);
    }
    return collections;
  };
  const storedCollection = (dbName: string, name: string): StoredCollection => {
    const collections = collectionsOf(dbName);
    let stored = collections.get(name);
    if (stored === undefined) {
      stored = { options: {}, documents: [], indexes: [] };
      collections.set(name, stored);
    }
    return stored;
  };
  const cursorOver = (produce: () => Document[]) => {
    let results: Document[] | undefined;
    const load = async (): Promise<Document[]> => {
      maybeFail();
      results ??= structuredClone(produce());
      return results;
    };
    return {
      toArray: load,
      close: async () => {},
      async *[Symbol.asyncIterator]() {
        yield* await load();
      },
    };
  };

  const collectionApi = (dbName: string, name: string) => ({
    createIndex: async (keys: Document, options?: { name?: string }) => {
      maybeFail();
      const indexes = storedCollection(dbName, name).indexes;
      const indexName = options?.name ?? Object.keys(keys).join("_");
      if (!indexes.some((index) => index.name === indexName)) indexes.push({ name: indexName, key: keys });
      return indexName;
    },
    indexes: async () => structuredClone(storedCollection(dbName, name).indexes),
    insertMany: async (documents: Document[]) => {
      maybeFail();
      const stored = storedCollection(dbName, name).documents;
      for (const document of documents)
        stored.push({ _id: `in-memory-${++nextId}`, ...structuredClone(document) });
      return { acknowledged: true, insertedCount: documents.length };
    },
    find: (filter: Document, options?: { projection?: Document; sort?: Document }) =>
      cursorOver(() =>
        aggregate(storedCollection(dbName, name).documents, [
          { $match: filter },
          ...(options?.sort ? [{ $sort: options.sort }] : []),
          ...(options?.projection ? [{ $project: options.projection }] : []),
        ]),
      ),
    aggregate: (pipeline: Document[]) =>
      cursorOver(() => {
        // Plain arrays have no storage to report: the stand-in refuses `$collStats` as a server refuses a stage it
        // does not know, rather than invent a size.
        if (pipeline.some((stage) => stage.$collStats !== undefined)) {
          throw new MongoServerError({
            message: "Unrecognized pipeline stage name: '$collStats'",
            code: UNRECOGNIZED_PIPELINE_STAGE,
          });
        }
        return aggregate(storedCollection(dbName, name).documents, pipeline);
      }),
    countDocuments: async (filter: Document = {}) => {
      maybeFail();
      return aggregate(storedCollection(dbName, name).documents, [{ $match: filter }]).length;
    },
  });

  const dbApi = (dbName: string) => ({
    databaseName: dbName,
    listCollections: (filter: { name?: string } = {}) =>
      cursorOver(() =>
        [...collectionsOf(dbName).entries()]
          .filter(([name]) => filter.name === undefined || filter.name === name)
          .map(([name, stored]) => ({
            name,
            type: stored.options.timeseries === undefined ? "collection" : "timeseries",
            options: stored.options,
          })),
      ),
    createCollection: async (name: string, options: Document = {}) => {
      maybeFail();
      const collections = collectionsOf(dbName);
      if (collections.has(name)) {
        throw new MongoServerError({ message: `Collection ${dbName}.${name} already exists.`, code: 48 });
      }
      collections.set(name, { options: structuredClone(options), documents: [], indexes: [] });
      return collectionApi(dbName, name);
    },
    command: async (command: Document) => {
      maybeFail();
      const stored = collectionsOf(dbName).get(command.collMod);
      if (stored === undefined) throw new MongoServerError({ message: `unsupported command`, code: 59 });
      stored.options.expireAfterSeconds = command.expireAfterSeconds;
      return { ok: 1 };
    },
    collection: (name: string) => collectionApi(dbName, name),
    dropDatabase: async () => databases.delete(dbName),
  });

  const client = {
    connect: async () => {
      maybeFail();
      return client;
    },
    db: (dbName: string) => dbApi(dbName),
    close: async () => {},
  };

  return {
    client: client as unknown as MongoClient,
    failNext(count, error) {
      pendingFailures = count;
      failure = error;
    },
    documents: (dbName, collectionName) => storedCollection(dbName, collectionName).documents,
  };
}
