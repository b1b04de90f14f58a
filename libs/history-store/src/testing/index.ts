export { createInMemoryMongo, type InMemoryMongo } from "./in-memory-mongo.ts";
export { buildSample, type FleetLoad, generateFleetSamples } from "./sample-builders.ts";
export {
  describeWorkerMetricsStoreContract,
  type StoreContractOptions,
} from "./store-contract.ts";
