import { describe, expect, it } from "vitest";
import { parseWsClientMessage } from "./ws-messages.ts";

describe("WebSocket client messages", () => {
  it("parses subscribe and unsubscribe", () => {
    const workerId = "8f0b7a56-3a55-5a41-9a0c-6c1b2f7d9e10";
    expect(
      parseWsClientMessage(
        JSON.stringify({ action: "subscribe", worker_id: workerId, types: ["terminated"] }),
      ),
    ).toEqual({
      action: "subscribe",
      worker_id: workerId,
      types: ["terminated"],
    });
    expect(parseWsClientMessage('{"action":"unsubscribe"}')).toEqual({ action: "unsubscribe" });
  });

  it.each([
    ["not json", "message is not JSON"],
    ['{"action":"dance"}', "action"],
    ['{"action":"subscribe","worker_id":"a.>"}', "worker_id"],
    ['{"action":"subscribe","types":["nope"]}', "types"],
  ])("explains why %s is refused", (text, expected) => {
    const result = parseWsClientMessage(text);
    expect(typeof result).toBe("string");
    expect(result).toContain(expected);
  });
});
