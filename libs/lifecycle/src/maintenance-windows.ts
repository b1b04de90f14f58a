/** One weekly maintenance window in UTC: on each of `days`, from `startMinute` to `endMinute` (past midnight if less). */
export interface MaintenanceWindow {
  /** Days the window opens, 0 = Sunday … 6 = Saturday. */
  readonly days: readonly number[];
  /** Minutes after midnight UTC at which it opens. */
  readonly startMinute: number;
  /** Minutes after midnight UTC at which it closes; not after `startMinute` means the next day. */
  readonly endMinute: number;
  /** The text it was parsed from. */
  readonly text: string;
}

/** A `IDLE_STOP_WINDOWS` entry that cannot be understood; the message says which and why. */
export class MaintenanceWindowError extends Error {
  override readonly name = "MaintenanceWindowError";
  readonly code = "INVALID_MAINTENANCE_WINDOW";
}

const DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
const MINUTES_PER_DAY = 1440;
const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;
const WINDOW = /^(\S+)\s+(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})(?:\s+(\S+))?$/;

/** The form every window takes, for error messages. */
export const MAINTENANCE_WINDOW_FORMAT =
  "<days> HH:MM-HH:MM UTC, days being Mon…Sun, a range such as Mon-Fri, or daily (e.g. `Sat 02:00-06:00 UTC`)";

function dayIndex(name: string, window: string): number {
  const index = DAY_NAMES.indexOf(name.slice(0, 3).toLowerCase() as (typeof DAY_NAMES)[number]);
  const full = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
  const lower = name.toLowerCase();
  if (index === -1 || (lower.length > 3 && full[index] !== lower)) {
    throw new MaintenanceWindowError(
      `"${window}": unknown day "${name}"; expected ${MAINTENANCE_WINDOW_FORMAT}`,
    );
  }
  return index;
}

function daysOf(spec: string, window: string): number[] {
  const lower = spec.toLowerCase();
  if (lower === "daily" || lower === "*") return [0, 1, 2, 3, 4, 5, 6];
  const [from, to, ...rest] = spec.split("-");
  if (rest.length > 0 || from === undefined || from === "") {
    throw new MaintenanceWindowError(
      `"${window}": bad days "${spec}"; expected ${MAINTENANCE_WINDOW_FORMAT}`,
    );
  }
  const first = dayIndex(from, window);
  if (to === undefined) return [first];
  const last = dayIndex(to, window);
  const days = [first];
  for (let day = first; day !== last; ) {
    day = (day + 1) % 7;
    days.push(day);
  }
  return days;
}

function minuteOf(hours: string, minutes: string, window: string): number {
  const h = Number(hours);
  const m = Number(minutes);
  if (h > 24 || m > 59 || (h === 24 && m !== 0)) {
    throw new MaintenanceWindowError(`"${window}": ${hours}:${minutes} is not a time of day (00:00–24:00)`);
  }
  return h * 60 + m;
}

/**
 * Parses `IDLE_STOP_WINDOWS`: a comma-separated list of weekly windows in UTC, each `<days> HH:MM-HH:MM UTC`
 * (days: `Sat`, `Mon-Fri`, `Fri-Mon`, `daily`; the `UTC` may be left out, no other zone is accepted). A window whose
 * end is not after its start runs past midnight into the next day. Empty text is no windows.
 * @throws MaintenanceWindowError naming the first entry it cannot understand.
 * @example parseMaintenanceWindows("Sat 02:00-06:00 UTC, Mon-Fri 22:00-01:00 UTC")
 */
export function parseMaintenanceWindows(text: string): MaintenanceWindow[] {
  return text
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
    .map((entry) => {
      const match = WINDOW.exec(entry);
      if (!match) throw new MaintenanceWindowError(`"${entry}": expected ${MAINTENANCE_WINDOW_FORMAT}`);
      const [, days, startH, startM, endH, endM, zone] = match as unknown as string[];
      if (zone !== undefined && zone.toUpperCase() !== "UTC" && zone.toUpperCase() !== "Z") {
        throw new MaintenanceWindowError(`"${entry}": only UTC windows are supported, not "${zone}"`);
      }
      const startMinute = minuteOf(startH as string, startM as string, entry);
      const endMinute = minuteOf(endH as string, endM as string, entry);
      if (startMinute === endMinute) {
        throw new MaintenanceWindowError(`"${entry}": the window opens and closes at the same time`);
      }
      return { days: daysOf(days as string, entry), startMinute, endMinute, text: entry };
    });
}

/** Whether `now` falls inside one of the windows (opening minute included, closing minute excluded). */
export function inMaintenanceWindow(windows: readonly MaintenanceWindow[], now: Date): boolean {
  const minuteOfWeek = now.getUTCDay() * MINUTES_PER_DAY + now.getUTCHours() * 60 + now.getUTCMinutes();
  return windows.some((window) =>
    window.days.some((day) => {
      const start = day * MINUTES_PER_DAY + window.startMinute;
      const length =
        window.endMinute > window.startMinute
          ? window.endMinute - window.startMinute
          : window.endMinute + MINUTES_PER_DAY - window.startMinute;
      const sinceStart = (minuteOfWeek - start + MINUTES_PER_WEEK) % MINUTES_PER_WEEK;
      return sinceStart < length;
    }),
  );
}
