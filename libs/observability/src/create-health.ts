/** State of one readiness check. */
export interface HealthCheckState {
  ready: boolean;
  /** Why it is not ready (or any note), shown in `/readyz`. */
  detail?: string;
  /** When the state last changed (ISO 8601). */
  since: string;
}

/** Body of `/readyz`: overall readiness and every check. */
export interface HealthReport {
  ready: boolean;
  checks: Record<string, HealthCheckState>;
}

/** Readiness tracker of one process: named checks (`nats`, `consumer`, ...) each ready or not. */
export interface Health {
  /** Adds a check (not ready) if it does not exist yet. */
  register(name: string): void;
  /** Sets a check's state, registering it if needed. */
  set(name: string, ready: boolean, detail?: string): void;
  /** True when at least one check exists and all are ready. */
  isReady(): boolean;
  /** Snapshot of all checks. */
  report(): HealthReport;
}

/**
 * Creates a readiness tracker; `checks` are registered up front as not ready.
 * @example const health = createHealth(["nats", "consumer"]); health.set("nats", true);
 */
export function createHealth(checks: readonly string[] = [], now: () => Date = () => new Date()): Health {
  const states = new Map<string, HealthCheckState>();
  const set = (name: string, ready: boolean, detail?: string): void => {
    const previous = states.get(name);
    const since = previous && previous.ready === ready ? previous.since : now().toISOString();
    states.set(name, detail === undefined ? { ready, since } : { ready, detail, since });
  };
  const register = (name: string): void => {
    if (!states.has(name)) set(name, false, "not started");
  };
  for (const name of checks) register(name);
  const isReady = (): boolean => states.size > 0 && [...states.values()].every((state) => state.ready);
  return {
    register,
    set,
    isReady,
    report: () => ({ ready: isReady(), checks: Object.fromEntries(states) }),
  };
}
