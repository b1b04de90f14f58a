import { expect, it } from "vitest";
import { describeOrSkip } from "./describe-or-skip.ts";

const ran: string[] = [];

describeOrSkip("a suite without a skip reason", undefined, () => {
  it("runs", () => {
    ran.push("runs");
  });
});

describeOrSkip(
  "a suite with a skip reason",
  "shows how a skipped suite carries its reason (describeOrSkip's own test)",
  () => {
    it("never runs", () => {
      ran.push("never runs");
    });
  },
);

it("skips only the suite given a reason, and carries the reason for the runner's report", ({ task }) => {
  expect(ran).toEqual(["runs"]);
  const suites = task.file.tasks.filter((child) => child.type === "suite");
  const skipped = suites.find((suite) => suite.name === "a suite with a skip reason");
  expect(skipped?.mode).toBe("skip");
  expect(skipped?.meta.skipReason).toBe(
    "shows how a skipped suite carries its reason (describeOrSkip's own test)",
  );
  expect(suites.find((suite) => suite.name === "a suite without a skip reason")?.mode).toBe("run");
});
