export { applyHeapTuning, HEAP_GROWING_PERCENT } from "./heap-tuning.ts";
export {
  type ServiceRuntime,
  type ServiceRuntimeConfig,
  startServiceRuntime,
} from "./start-service-runtime.ts";
