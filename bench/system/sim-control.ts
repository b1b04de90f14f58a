/** An instance of the fleet simulator as `GET /_sim/fleet` lists it (the fields the bench reads). */
export interface SimInstance {
  readonly instanceId: string;
  readonly region: string;
  readonly state: string;
  readonly detailedMonitoring: boolean;
  readonly consistent: boolean;
  readonly tags: Readonly<Record<string, string>>;
  readonly cmlServer: {
    readonly chosenMode: string;
    readonly spec: { readonly mode: string; readonly labs: readonly SimLab[] };
  } | null;
}

export interface SimLab {
  readonly id: string;
  readonly title: string;
  readonly state: string;
  readonly nodeCount: number;
}

/** Calls the simulator's control API (`<simUrl>/_sim<path>`) and returns its JSON answer. */
export async function simControl<T>(
  simUrl: string,
  path: string,
  method = "GET",
  body?: unknown,
): Promise<T> {
  const response = await fetch(`${simUrl}/_sim${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
  });
  const text = await response.text();
  if (!response.ok)
    throw new SimControlError(
      `simulator ${method} ${path} answered ${response.status}: ${text}`,
      response.status,
    );
  return JSON.parse(text) as T;
}

/** The simulator refused a control call. */
export class SimControlError extends Error {
  override readonly name = "SimControlError";
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.status = status;
  }
}

/**
 * How far the simulator's clock is ahead of this process's `Date.now()` (ms), so times seen here can be put on the
 * simulator's clock, which every change is timed by.
 */
export async function simClockOffsetMs(simUrl: string): Promise<number> {
  const before = Date.now();
  const { now } = await simControl<{ now: string }>(simUrl, "/clock");
  const after = Date.now();
  return Date.parse(now) - (before + after) / 2;
}
