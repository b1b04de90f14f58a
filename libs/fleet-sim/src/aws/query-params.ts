/** Parsed AWS query-protocol parameters (`Action=...&InstanceId.1=...`). */
export interface QueryParams {
  get(name: string): string | undefined;
  /** Values of `Prefix.1`, `Prefix.2`, ... in index order. */
  list(prefix: string): string[];
  /** `Filter.N.Name` / `Filter.N.Value.M` pairs. */
  filters(): Array<{ name: string; values: string[] }>;
}

/** Parses an `application/x-www-form-urlencoded` body. */
export function parseQueryParams(body: string): QueryParams {
  const params = new URLSearchParams(body);
  const list = (prefix: string): string[] => {
    const pattern = new RegExp(`^${prefix.replace(/\./g, "\\.")}\\.(\\d+)$`);
    const entries: Array<[number, string]> = [];
    for (const [key, value] of params) {
      const match = pattern.exec(key);
      if (match?.[1]) entries.push([Number(match[1]), value]);
    }
    return entries.sort((a, b) => a[0] - b[0]).map(([, value]) => value);
  };
  return {
    get: (name) => params.get(name) ?? undefined,
    list,
    filters: () => {
      const indexes = new Set<number>();
      for (const key of params.keys()) {
        const match = /^Filter\.(\d+)\.Name$/.exec(key);
        if (match?.[1]) indexes.add(Number(match[1]));
      }
      return [...indexes]
        .sort((a, b) => a - b)
        .map((n) => ({ name: params.get(`Filter.${n}.Name`) ?? "", values: list(`Filter.${n}.Value`) }));
    },
  };
}
