import { type ClientRequest, type IncomingMessage, request } from "node:http";

/** A domain event as the API's SSE feed delivers it, with the time it arrived (bench clock, epoch ms). */
export interface FeedEvent {
  readonly name: string;
  readonly workerId: string;
  /** The CloudEvent's `correlationid` (a refresh's request id), if any. */
  readonly correlationId: string | undefined;
  readonly data: Record<string, unknown>;
  readonly receivedAt: number;
}

/** An open connection to `GET /api/v1/events`. */
export interface SseFeed {
  /** Events received so far, counted by name. */
  counts(): Readonly<Record<string, number>>;
  close(): void;
}

/**
 * Connects to the API's Server-Sent Events feed for the given event names and calls `onEvent` for each event as it
 * arrives. Resolves once the API answered (the `: connected` comment follows at once).
 */
export async function openSseFeed(
  apiUrl: string,
  names: readonly string[],
  onEvent: (event: FeedEvent) => void,
): Promise<SseFeed> {
  const counts: Record<string, number> = {};
  let req: ClientRequest | undefined;
  await new Promise<void>((resolve, reject) => {
    req = request(
      `${apiUrl}/api/v1/events?type=${names.join(",")}`,
      { agent: false, headers: { accept: "text/event-stream" } },
      (res: IncomingMessage) => {
        if (res.statusCode !== 200) {
          reject(new Error(`GET /api/v1/events answered ${res.statusCode}`));
          res.resume();
          return;
        }
        res.setEncoding("utf8");
        let buffer = "";
        res.on("data", (chunk: string) => {
          buffer += chunk;
          let end = buffer.indexOf("\n\n");
          while (end >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            end = buffer.indexOf("\n\n");
            const event = parseBlock(block);
            if (event === undefined) continue;
            counts[event.name] = (counts[event.name] ?? 0) + 1;
            onEvent(event);
          }
        });
        resolve();
      },
    );
    req.on("error", reject);
    req.end();
  });
  return {
    counts: () => ({ ...counts }),
    close: () => req?.destroy(),
  };
}

/** One SSE block (`event:` and `data:` lines) as a feed event; undefined for comments and other blocks. */
function parseBlock(block: string): FeedEvent | undefined {
  let name: string | undefined;
  const data: string[] = [];
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) name = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
  }
  if (name === undefined || data.length === 0) return undefined;
  const receivedAt = Date.now();
  const cloudEvent = JSON.parse(data.join("\n")) as {
    subject?: string;
    correlationid?: string;
    data?: Record<string, unknown>;
  };
  return {
    name,
    workerId: cloudEvent.subject ?? "",
    correlationId: cloudEvent.correlationid,
    data: cloudEvent.data ?? {},
    receivedAt,
  };
}
