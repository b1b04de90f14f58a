/** An AWS answer that blames some of the ids of a call (the whole call failed because of them). */
export interface BadIdsError {
  /** Why the ids are bad, e.g. `not_found` or `malformed_id` (the worker's `errorType`). */
  readonly reason: string;
  /** The ids the error names; empty when it names none (the bad ids must then be searched for). */
  readonly ids: readonly string[];
}

/** What {@link isolateBadIds} found: the answers of the calls that worked, the bad ids, and groups that failed otherwise. */
export interface IsolatedCalls<T> {
  readonly answers: T[];
  /** Bad id → the reason and the error that blamed it. */
  readonly bad: Map<string, { readonly reason: string; readonly error: unknown }>;
  /** Ids whose call failed for another reason (throttling, outage): the whole group failed. */
  readonly failed: Array<{ readonly ids: string[]; readonly error: unknown }>;
}

/**
 * Calls `call` for `ids` so that one bad id never fails the others. AWS fails a whole call for one unknown or
 * malformed id; when the error names the ids (EC2's `NotFound` names all of them), they are set aside and the rest
 * is asked again at once (one extra call). When it names none, the ids are split in halves: a half that works is
 * done; when the first half works the other is known to hold a bad id and is split without being called; so one bad
 * id among n costs at most 2·log2(n) extra calls. Any other error fails the ids of its call (no retry here).
 */
export async function isolateBadIds<T>(
  ids: readonly string[],
  call: (ids: readonly string[]) => Promise<T>,
  badIdsOf: (error: unknown) => BadIdsError | undefined,
): Promise<IsolatedCalls<T>> {
  const result: IsolatedCalls<T> = { answers: [], bad: new Map(), failed: [] };

  const blame = (group: readonly string[], known: { blamed: BadIdsError; error: unknown }): string[] => {
    const named = known.blamed.ids.filter((id) => group.includes(id));
    for (const id of named) result.bad.set(id, { reason: known.blamed.reason, error: known.error });
    if (named.length === 0 && group.length === 1) {
      result.bad.set(group[0] as string, { reason: known.blamed.reason, error: known.error });
      return [];
    }
    return group.filter((id) => !named.includes(id));
  };

  /** Handles `group`; `failing` is the error of a call already known to fail for it (so it is not called again). */
  const handle = async (
    group: readonly string[],
    failing?: { blamed: BadIdsError; error: unknown },
  ): Promise<void> => {
    if (group.length === 0) return;
    let known = failing;
    if (!known) {
      try {
        result.answers.push(await call(group));
        return;
      } catch (error) {
        const blamed = badIdsOf(error);
        if (!blamed) {
          result.failed.push({ ids: [...group], error });
          return;
        }
        known = { blamed, error };
      }
    }
    const rest = blame(group, known);
    if (rest.length === 0) return;
    if (rest.length < group.length) {
      await handle(rest);
      return;
    }
    const half = Math.ceil(rest.length / 2);
    const first = rest.slice(0, half);
    const second = rest.slice(half);
    const before = result.answers.length;
    await handle(first);
    const firstWorked = result.answers.length > before && !first.some((id) => result.bad.has(id));
    // The whole group failed and its first half worked: the bad id is in the second half, no need to call it whole.
    await handle(
      second,
      firstWorked ? { blamed: { reason: known.blamed.reason, ids: [] }, error: known.error } : undefined,
    );
  };

  await handle([...new Set(ids)]);
  return result;
}
