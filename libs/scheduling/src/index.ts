export type { CollectCommandTarget } from "./publish-collect-commands.ts";
export { publishCollectCommands, publishDiscoverCommand } from "./publish-collect-commands.ts";
export type { SlotTicker, SlotTickerOptions, TickerLogger } from "./slot-ticker.ts";
export { createSlotTicker } from "./slot-ticker.ts";
export { scheduledCommandId, slotOf } from "./slots.ts";
export type { DirectoryLogger, WorkerDirectory } from "./worker-directory.ts";
export { createWorkerDirectory, parseWorkerRecord } from "./worker-directory.ts";
