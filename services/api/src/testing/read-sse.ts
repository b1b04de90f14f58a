/** One parsed Server-Sent Event. */
export interface SseMessage {
  id?: string;
  event?: string;
  data: string;
}

/** Reads SSE messages (comments skipped) from a response body; `next()` waits up to `timeoutMs` for one. */
export function createSseReader(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const comments: string[] = [];

  async function fill(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeoutMs);
    });
    const result = await Promise.race([reader.read(), timeout]);
    clearTimeout(timer);
    if (result === "timeout") throw new Error(`no SSE data within ${timeoutMs} ms`);
    if (result.done) return false;
    buffer += decoder.decode(result.value, { stream: true });
    return true;
  }

  return {
    comments,
    async next(timeoutMs = 2_000): Promise<SseMessage | undefined> {
      for (;;) {
        const end = buffer.indexOf("\n\n");
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const message: SseMessage = { data: "" };
          let hasField = false;
          for (const line of block.split("\n")) {
            if (line.startsWith(":")) {
              comments.push(line.slice(1).trim());
              continue;
            }
            const colon = line.indexOf(":");
            const field = colon < 0 ? line : line.slice(0, colon);
            const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
            hasField = true;
            if (field === "id") message.id = value;
            else if (field === "event") message.event = value;
            else if (field === "data")
              message.data = message.data === "" ? value : `${message.data}\n${value}`;
          }
          if (hasField) return message;
          continue;
        }
        if (!(await fill(timeoutMs))) return undefined;
      }
    },
    /** Waits until a comment line matching `text` arrived. */
    async waitForComment(text: string, timeoutMs = 2_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!comments.includes(text)) {
        const end = buffer.indexOf("\n\n");
        if (end >= 0 && buffer.startsWith(":")) {
          comments.push(buffer.slice(1, end).trim());
          buffer = buffer.slice(end + 2);
          continue;
        }
        if (!(await fill(Math.max(1, deadline - Date.now())))) throw new Error("stream ended");
      }
    },
    cancel: () => reader.cancel(),
  };
}
