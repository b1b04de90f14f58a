export type { Decider } from "./decider-spec.ts";
export { createDeciderSpec } from "./decider-spec.ts";
export { describeOrSkip } from "./describe-or-skip.ts";
export { ensureNatsServer } from "./ensure-nats-server.ts";
export {
  LOOPBACK_GUARD_FILE_ENV,
  LOOPBACK_GUARD_MODULE,
  LOOPBACK_GUARD_NODE_FLAGS,
  type LoopbackGuardRecord,
  type LoopbackGuardReport,
  readLoopbackGuardReport,
} from "./loopback-guard/loopback-guard-report.ts";
export type { TestNatsServer } from "./nats-server.ts";
export { freePort, startNatsServer, stopProcess } from "./nats-server.ts";
export { SimControlError, simControl } from "./sim-control.ts";
export type { RunningSystem, StartSystemOptions } from "./system.ts";
export { startSystem } from "./system.ts";
export { uniquePrefix } from "./unique-prefix.ts";
export { waitFor } from "./wait-for.ts";
