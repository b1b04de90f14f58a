import { describe, expect, it } from "vitest";
import {
  inMaintenanceWindow,
  MaintenanceWindowError,
  parseMaintenanceWindows,
} from "./maintenance-windows.ts";

// 2026-11-28 is a Saturday.
const saturday = (time: string) => new Date(`2026-11-28T${time}:00.000Z`);
const sunday = (time: string) => new Date(`2026-11-29T${time}:00.000Z`);
const friday = (time: string) => new Date(`2026-11-27T${time}:00.000Z`);

describe("maintenance windows", () => {
  it("parses DESIGN's example and opens it from its first minute up to (not including) its last", () => {
    const windows = parseMaintenanceWindows("Sat 02:00-06:00 UTC");
    expect(windows).toEqual([{ days: [6], startMinute: 120, endMinute: 360, text: "Sat 02:00-06:00 UTC" }]);
    expect(inMaintenanceWindow(windows, saturday("01:59"))).toBe(false);
    expect(inMaintenanceWindow(windows, saturday("02:00"))).toBe(true);
    expect(inMaintenanceWindow(windows, saturday("05:59"))).toBe(true);
    expect(inMaintenanceWindow(windows, saturday("06:00"))).toBe(false);
    expect(inMaintenanceWindow(windows, friday("03:00"))).toBe(false);
  });

  it("takes a comma-separated list, day ranges (also across the week's end), daily, and no zone as UTC", () => {
    const windows = parseMaintenanceWindows(
      " Mon-Fri 12:00-13:00, Fri-Sun 20:00-21:00 UTC ,daily 23:30-23:45 ",
    );
    expect(windows.map((window) => window.days)).toEqual([
      [1, 2, 3, 4, 5],
      [5, 6, 0],
      [0, 1, 2, 3, 4, 5, 6],
    ]);
    expect(inMaintenanceWindow(windows, friday("12:30"))).toBe(true);
    expect(inMaintenanceWindow(windows, saturday("12:30"))).toBe(false);
    expect(inMaintenanceWindow(windows, sunday("20:15"))).toBe(true);
    expect(inMaintenanceWindow(windows, sunday("23:40"))).toBe(true);
  });

  it("runs a window whose end is not after its start past midnight into the next day", () => {
    const windows = parseMaintenanceWindows("Sat 22:00-02:00 UTC");
    expect(inMaintenanceWindow(windows, saturday("23:00"))).toBe(true);
    expect(inMaintenanceWindow(windows, sunday("01:59"))).toBe(true);
    expect(inMaintenanceWindow(windows, sunday("02:00"))).toBe(false);
    expect(inMaintenanceWindow(windows, saturday("01:00"))).toBe(false);
    // Saturday night into Sunday morning also wraps the week: Sunday is day 0.
    expect(inMaintenanceWindow(parseMaintenanceWindows("Sat 23:00-24:00"), saturday("23:59"))).toBe(true);
  });

  it("is empty for empty text", () => {
    expect(parseMaintenanceWindows("")).toEqual([]);
    expect(parseMaintenanceWindows(" , ")).toEqual([]);
    expect(inMaintenanceWindow([], saturday("03:00"))).toBe(false);
  });

  it.each([
    ["Sat 2am-6am", "expected"],
    ["Caturday 02:00-06:00 UTC", 'unknown day "Caturday"'],
    ["Sat 02:00-06:00 CET", "only UTC"],
    ["Sat 25:00-06:00", "not a time of day"],
    ["Sat 02:00-02:00", "same time"],
    ["Mon-Wed-Fri 02:00-03:00", "bad days"],
  ])("refuses %s, saying why", (text, why) => {
    expect(() => parseMaintenanceWindows(text)).toThrow(MaintenanceWindowError);
    expect(() => parseMaintenanceWindows(text)).toThrow(why);
  });
});
