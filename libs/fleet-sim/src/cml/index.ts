export { createCmlServerPool } from "./cml-server-pool.ts";
export { defaultCmlServerSpec, type GenerateCmlLabsOptions, generateCmlLabs } from "./default-spec.ts";
export type {
  CmlServerMode,
  CmlServerPool,
  CmlServerPoolOptions,
  CmlServerSpec,
  CmlSimLab,
  CmlSimLabState,
} from "./types.ts";
