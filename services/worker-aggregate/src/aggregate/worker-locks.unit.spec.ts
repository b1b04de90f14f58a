import { describe, expect, it } from "vitest";
import { createWorkerLocks } from "./worker-locks.ts";

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe("worker locks", () => {
  it("runs one worker's tasks in submission order, one at a time, and other workers alongside", async () => {
    const locks = createWorkerLocks();
    const log: string[] = [];
    const task = (name: string) => async () => {
      log.push(`${name} start`);
      await tick();
      log.push(`${name} end`);
      return name;
    };
    const results = await Promise.all([
      locks.run("a", task("a1")),
      locks.run("a", task("a2")),
      locks.run("b", task("b1")),
      locks.run("a", task("a3")),
    ]);
    expect(results).toEqual(["a1", "a2", "b1", "a3"]);
    const a = log.filter((line) => line.startsWith("a"));
    expect(a).toEqual(["a1 start", "a1 end", "a2 start", "a2 end", "a3 start", "a3 end"]);
    expect(log.indexOf("b1 start")).toBeLessThan(log.indexOf("a1 end"));
    expect(locks.size()).toBe(0);
  });

  it("releases the lock when a task fails", async () => {
    const locks = createWorkerLocks();
    await expect(locks.run("a", async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await expect(locks.run("a", async () => "next")).resolves.toBe("next");
    expect(locks.size()).toBe(0);
  });
});
