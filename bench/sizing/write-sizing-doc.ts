/**
 * `npm run docs:sizing`: writes docs/operations/sizing.md from the system benchmark's lines in bench/results.json
 * (`npm run bench` does it after every full run, `npm run bench -- system --save` after the system bench).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { isMain } from "../report.ts";
import { renderSizingDoc, systemLines } from "./sizing-doc.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const SIZING_DOC = join(root, "docs/operations/sizing.md");
export const RESULTS_FILE = join(root, "bench/results.json");

/** What bench/results.json holds. */
export interface ResultsFile {
  /** When the last full `npm run bench` ended. */
  ranAt: string;
  /** Benches whose lines a later `npm run bench -- <name> --save` put in place, with when. */
  savedAt?: Record<string, string>;
  results: Record<string, unknown>[];
  failures: string[];
}

/** Reads a results file (empty when there is none yet). */
export function readResults(file: string): ResultsFile {
  if (!existsSync(file)) return { ranAt: new Date(0).toISOString(), results: [], failures: [] };
  return JSON.parse(readFileSync(file, "utf8")) as ResultsFile;
}

/** Writes the sizing page from a results file; returns its path. */
export function writeSizingDoc(resultsFile = RESULTS_FILE, output = SIZING_DOC): string {
  const { ranAt, results } = readResults(resultsFile);
  writeFileSync(output, renderSizingDoc({ ranAt, lines: systemLines(results) }));
  return output;
}

if (isMain(import.meta.url)) process.stdout.write(`wrote ${writeSizingDoc()}\n`);
