export { createWorkerLocks, type WorkerLocks } from "./aggregate/worker-locks.ts";
export * from "./decider/index.ts";
export {
  startWorkerAggregate,
  type WorkerAggregate,
  type WorkerAggregateOptions,
} from "./start-worker-aggregate.ts";
