export { type DataDirLock, LOCK_FILE, lockDataDir } from "./data-dir-lock.ts";
export { natsClientPort, portIsFree } from "./ports.ts";
export type { ManagedProcess, Supervisor, SupervisorOptions } from "./supervisor.ts";
export { createSupervisor } from "./supervisor.ts";
export type { FleetSimReady, SystemServiceName } from "./system-env.ts";
export {
  DEFAULT_SERVICE_NODE_FLAGS,
  isReadyLine,
  readyLineUrl,
  SERVICE_NAMES,
  SERVICE_NODE_FLAGS,
  SERVICE_PROCESS_ENV,
  serviceNodeFlags,
  serviceProcess,
  simulatorEnv,
} from "./system-env.ts";
