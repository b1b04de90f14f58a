import { seededUuid } from "./sim-ids.ts";
import type { CmlServerSpec, CmlSimLab } from "./types.ts";

/** Options of {@link generateCmlLabs}. */
export interface GenerateCmlLabsOptions {
  count: number;
  /** How many of them are `STARTED` (the rest alternate `STOPPED` / `DEFINED_ON_CORE`). */
  started: number;
  /** Seed of the lab ids; the same seed yields the same ids. */
  seed?: string;
  /** Nodes per lab; default 5. */
  nodeCount?: number;
}

/** Builds `count` labs of which the first `started` are running. */
export function generateCmlLabs(options: GenerateCmlLabsOptions): CmlSimLab[] {
  const seed = options.seed ?? "labs";
  return Array.from({ length: options.count }, (_, index) => ({
    id: seededUuid(`${seed}/lab/${index}`),
    title: `Lab ${index + 1}`,
    state: index < options.started ? "STARTED" : index % 2 === 0 ? "STOPPED" : "DEFINED_ON_CORE",
    nodeCount: options.nodeCount ?? 5,
  }));
}

/**
 * A healthy, registered 2.9.1 controller with three labs, one of them running; `populate_lab_tiles` answers in the
 * shape Cisco documents (no lab state in the tiles).
 */
export function defaultCmlServerSpec(key: string): CmlServerSpec {
  return {
    mode: "up",
    version: "2.9.1+build.7",
    ready: true,
    labs: generateCmlLabs({ count: 3, started: 1, seed: key }),
    license: { registration: "COMPLETED", authorization: "IN_COMPLIANCE" },
    cpuPercent: 4.17,
    memoryUsedPercent: 16.67,
    diskUsedPercent: 69.09,
    runningNodes: 8,
    slowMs: 0,
    variant: "2.9.1",
    labTiles: "documented",
    trickle: null,
    computeCount: 1,
  };
}
