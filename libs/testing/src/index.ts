export type { Decider } from "./decider-spec.ts";
export { createDeciderSpec } from "./decider-spec.ts";
export { ensureNatsServer } from "./ensure-nats-server.ts";
export type { TestNatsServer } from "./nats-server.ts";
export { freePort, startNatsServer, stopProcess } from "./nats-server.ts";
export type { RunningSystem, StartSystemOptions } from "./system.ts";
export { startSystem } from "./system.ts";
export { uniquePrefix } from "./unique-prefix.ts";
export { waitFor } from "./wait-for.ts";
