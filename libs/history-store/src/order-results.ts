import { SOURCES, type Source } from "./types.ts";

/** Rank of a source in result order ({@link SOURCES} order). */
export const sourceRank = (source: Source): number => SOURCES.indexOf(source);

/** Comparator for results: ascending time, ties in {@link SOURCES} order. */
export function compareByTimeThenSource(
  a: { time: number; source: Source },
  b: { time: number; source: Source },
): number {
  return a.time - b.time || sourceRank(a.source) - sourceRank(b.source);
}
