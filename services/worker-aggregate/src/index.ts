export * from "./decider/index.ts";
