import { randomUUID } from "node:crypto";
import WebSocket from "ws";

/** Opens a WebSocket to `url`; rejects on an error before it opens (e.g. a refused upgrade). */
export function openSocket(url: string, options: WebSocket.ClientOptions = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options);
    socket.once("open", () => resolve(socket));
    socket.once("error", reject);
  });
}

/** Resolves with the close code and reason once `socket` closes. */
export function closeOf(socket: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) =>
    socket.once("close", (code, reason) => resolve({ code, reason: reason.toString() })),
  );
}

/**
 * Sends `count` subscribes to random worker ids on an open socket, as a flooding client would, and waits until the api
 * closes it: the close code and reason, and how many bytes the api sent meanwhile.
 */
export async function floodWithSubscribes(
  socket: WebSocket,
  count: number,
): Promise<{ code: number; reason: string; receivedBytes: number }> {
  let receivedBytes = 0;
  socket.on("message", (data: Buffer) => {
    receivedBytes += data.length;
  });
  const closed = closeOf(socket);
  for (let index = 0; index < count; index++) {
    socket.send(JSON.stringify({ action: "subscribe", worker_id: randomUUID() }));
  }
  return { ...(await closed), receivedBytes };
}
