/** One worker to collect, with the correlation ids of the commands that asked for it. */
export interface CollectTarget {
  readonly workerId: string;
  readonly region: string;
  readonly instanceId: string;
  /** One telemetry event is published per id; `undefined` stands for scheduled commands without one. */
  readonly correlationIds: ReadonlySet<string | undefined>;
}

/** Merges targets by worker id (correlation ids are united), keeping first-seen order. */
export function mergeTargets(targets: Iterable<CollectTarget>): CollectTarget[] {
  const byId = new Map<string, { target: CollectTarget; ids: Set<string | undefined> }>();
  for (const target of targets) {
    const existing = byId.get(target.workerId);
    if (existing) for (const id of target.correlationIds) existing.ids.add(id);
    else byId.set(target.workerId, { target, ids: new Set(target.correlationIds) });
  }
  return [...byId.values()].map(({ target, ids }) => ({ ...target, correlationIds: ids }));
}

/** Groups targets by region. */
export function byRegion(targets: readonly CollectTarget[]): Map<string, CollectTarget[]> {
  const groups = new Map<string, CollectTarget[]>();
  for (const target of targets) {
    const group = groups.get(target.region);
    if (group) group.push(target);
    else groups.set(target.region, [target]);
  }
  return groups;
}
