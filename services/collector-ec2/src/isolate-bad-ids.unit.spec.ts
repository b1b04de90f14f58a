import { describe, expect, it } from "vitest";
import { type BadIdsError, isolateBadIds } from "./isolate-bad-ids.ts";

class NamedError extends Error {
  readonly ids: string[];
  constructor(ids: string[]) {
    super(`bad: ${ids.join(", ")}`);
    this.ids = ids;
  }
}

const ids = Array.from({ length: 100 }, (_, i) => `i-${String(i).padStart(8, "0")}`);

/** A fake AWS call failing for any bad id in it, naming the bad ids or not; it counts its calls. */
function fakeCall(bad: ReadonlySet<string>, names: boolean) {
  const calls: string[][] = [];
  return {
    calls,
    call: async (group: readonly string[]) => {
      calls.push([...group]);
      const found = group.filter((id) => bad.has(id));
      if (found.length > 0) throw new NamedError(names ? found : []);
      return group;
    },
  };
}

const blame = (error: unknown): BadIdsError | undefined =>
  error instanceof NamedError ? { reason: "not_found", ids: error.ids } : undefined;

describe("isolateBadIds", () => {
  it("sets aside the ids an error names and asks for the rest in one more call", async () => {
    const fake = fakeCall(new Set([ids[3] as string, ids[70] as string]), true);
    const result = await isolateBadIds(ids, fake.call, blame);
    expect(fake.calls).toHaveLength(2);
    expect(result.answers.flat()).toHaveLength(98);
    expect([...result.bad.keys()].sort()).toEqual([ids[3], ids[70]]);
  });

  it("finds one unnamed bad id among 100 with at most 2·log2(100) extra calls, collecting all others", async () => {
    for (const badIndex of [0, 37, 50, 99]) {
      const fake = fakeCall(new Set([ids[badIndex] as string]), false);
      const result = await isolateBadIds(ids, fake.call, blame);
      expect(result.answers.flat().sort()).toEqual(ids.filter((_, i) => i !== badIndex));
      expect([...result.bad.keys()]).toEqual([ids[badIndex]]);
      expect(fake.calls.length - 1).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(100)));
    }
  });

  it("finds several unnamed bad ids and fails a group only for an error that blames no id", async () => {
    const fake = fakeCall(new Set([ids[5] as string, ids[6] as string, ids[90] as string]), false);
    const result = await isolateBadIds(ids, fake.call, blame);
    expect([...result.bad.keys()].sort()).toEqual([ids[5], ids[6], ids[90]]);
    expect(result.answers.flat()).toHaveLength(97);
    const throttled = await isolateBadIds(
      ids.slice(0, 3),
      async () => {
        throw new Error("Throttling");
      },
      blame,
    );
    expect(throttled.failed).toEqual([{ ids: ids.slice(0, 3), error: expect.any(Error) }]);
    expect(throttled.answers).toEqual([]);
  });
});
