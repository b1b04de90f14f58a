export { createCmlServerPool } from "./cml-server-pool.ts";
export { defaultCmlServerSpec, type GenerateCmlLabsOptions, generateCmlLabs } from "./default-spec.ts";
export {
  CML_LAB_TILES_SHAPES,
  CML_SERVER_MODES,
  type CmlLabTilesShape,
  type CmlServerMode,
  type CmlServerPool,
  type CmlServerPoolOptions,
  type CmlServerSpec,
  type CmlSimLab,
  type CmlSimLabState,
  type CmlTrickle,
} from "./types.ts";
