import { describe, expect, it } from "vitest";
import { onShutdownSignals } from "./on-shutdown-signals.ts";

function harness(stop: (signal: string) => Promise<void>, timeoutMs = 1_000) {
  const lines: string[] = [];
  const exits: number[] = [];
  const logger = {
    info: (_fields: object, message?: string) => lines.push(`info ${message}`),
    error: (_fields: object, message?: string) => lines.push(`error ${message}`),
  };
  // An unused signal, so the test never installs handlers for real termination signals.
  const handler = onShutdownSignals({
    logger,
    stop,
    timeoutMs,
    signals: ["SIGUSR2"],
    exit: (code) => exits.push(code),
  });
  return { handler, lines, exits };
}

describe("onShutdownSignals", () => {
  it("stops once, logs stopping and stopped, and exits 0", async () => {
    let stops = 0;
    const { handler, lines, exits } = harness(async () => {
      stops += 1;
    });
    await Promise.all([handler("SIGTERM"), handler("SIGINT")]);
    expect(stops).toBe(1);
    expect(lines).toEqual(["info stopping", "info stopped"]);
    expect(exits).toEqual([0]);
  });

  it("exits 1 when stopping fails", async () => {
    const { handler, lines, exits } = harness(async () => {
      throw new Error("drain failed");
    });
    await handler("SIGTERM");
    expect(lines).toEqual(["info stopping", "error unclean shutdown"]);
    expect(exits).toEqual([1]);
  });

  it("exits 1 when stopping hangs past the timeout", async () => {
    const { handler, lines, exits } = harness(() => new Promise(() => undefined), 50);
    void handler("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(lines).toEqual(["info stopping", "error shutdown did not finish within 0.05 s; exiting"]);
    expect(exits).toEqual([1]);
  });

  it("handles the signals it was given", async () => {
    const { lines, exits } = harness(async () => undefined);
    process.emit("SIGUSR2", "SIGUSR2");
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(lines).toEqual(["info stopping", "info stopped"]);
    expect(exits).toEqual([0]);
  });
});
