import { afterEach, describe, expect, it, vi } from "vitest";
import { createWsKeepAlive } from "./ws-keepalive.ts";

function fakeSocket(answers: boolean) {
  const socket = {
    pings: 0,
    pong: undefined as (() => void) | undefined,
    ping() {
      socket.pings += 1;
      if (answers) socket.pong?.();
    },
    on(_event: "pong", listener: () => void) {
      socket.pong = listener;
    },
  };
  return socket;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("WebSocket keep-alive", () => {
  it("keeps pinging a client that answers, and reports one that misses an answer, once", () => {
    vi.useFakeTimers();
    const keepAlive = createWsKeepAlive(1_000);
    const answering = fakeSocket(true);
    const silent = fakeSocket(false);
    const dead: string[] = [];
    keepAlive.track(answering, () => dead.push("answering"));
    keepAlive.track(silent, () => dead.push("silent"));
    vi.advanceTimersByTime(1_000);
    expect([answering.pings, silent.pings]).toEqual([1, 1]);
    expect(dead).toEqual([]);
    vi.advanceTimersByTime(1_000);
    expect(dead).toEqual(["silent"]);
    vi.advanceTimersByTime(5_000);
    expect(dead).toEqual(["silent"]);
    expect(answering.pings).toBe(7);
    keepAlive.stop();
  });

  it("stops pinging a client that is no longer tracked", () => {
    vi.useFakeTimers();
    const keepAlive = createWsKeepAlive(1_000);
    const socket = fakeSocket(false);
    const untrack = keepAlive.track(socket, () => {
      throw new Error("reported after untrack");
    });
    untrack();
    vi.advanceTimersByTime(3_000);
    expect(socket.pings).toBe(0);
  });
});
