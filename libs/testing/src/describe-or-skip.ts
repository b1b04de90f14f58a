import { describe } from "vitest";

declare module "vitest" {
  interface TaskMeta {
    /** Why the suite is skipped; `npm test` prints it beside the suite's name. */
    skipReason?: string;
  }
}

/**
 * A suite that runs, or, when `skipReason` is given, is skipped as a whole with that reason (its hooks do not run).
 * `npm test` lists every skipped suite with its reason.
 * @example describeOrSkip("MongoDB store", mongodbUri ? undefined : "MONGODB_URI is not set", () => { ... });
 */
export function describeOrSkip(name: string, skipReason: string | undefined, body: () => void): void {
  describe(name, skipReason === undefined ? {} : { skip: true, meta: { skipReason } }, body);
}
