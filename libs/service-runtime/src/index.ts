export {
  type ServiceRuntime,
  type ServiceRuntimeConfig,
  startServiceRuntime,
} from "./start-service-runtime.ts";
