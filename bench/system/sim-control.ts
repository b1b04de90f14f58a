import { simControl } from "@cml-telemetry/testing";

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
