import { createInbox, type Msg, type MsgHdrs, type NatsConnection } from "@nats-io/transport-node";

/** The stream's acknowledgement of a publish. */
export interface StreamAck {
  readonly stream: string;
  readonly seq: number;
  /** True when the stream already held a message with this `Nats-Msg-Id` (within its duplicate window). */
  readonly duplicate: boolean;
}

/** A JetStream publish the server refused or did not answer; `code` is the JetStream `err_code` when it sent one. */
export class StreamPublishError extends Error {
  override readonly name = "StreamPublishError";
  /** JetStream API error code (e.g. 10071 wrong last sequence), 503 for no stream, 408 for a timeout. */
  readonly code: number;
  constructor(message: string, code: number) {
    super(message);
    this.code = code;
  }
}

/** JetStream `err_code` of a failed `Nats-Expected-Last-Subject-Sequence` check (a lost compare-and-set). */
export const WRONG_LAST_SEQUENCE = 10071;

/** Options of one acknowledged publish. */
export interface AckedPublishOptions {
  /** `Nats-Msg-Id`: the stream drops a repeat within its duplicate window. */
  readonly msgId?: string;
  /** `Nats-Expected-Last-Subject-Sequence`: the publish fails unless the subject's last message has this sequence. */
  readonly expectedLastSubjectSequence?: number;
}

/** Publishes to JetStream and resolves with the stream's acknowledgement. */
export interface AckedPublisher {
  publish(subject: string, data: Uint8Array, options?: AckedPublishOptions): Promise<StreamAck>;
  /** Publishes awaiting an acknowledgement. */
  pending(): number;
  /** Fails every pending publish and stops listening for acknowledgements. */
  close(): void;
}

/**
 * The publish's headers, already in wire form (`NATS/1.0\r\nName: value\r\n\r\n`, as the client's own header
 * map writes them): the client's `publish` (nats-core 3.x) only asks the headers it is given to `encode()`
 * themselves, and its general-purpose header map (a `Map` of arrays, key canonicalisation, a regular expression per
 * value) made about a third of what each publish allocated. The integration tests (duplicates by message id,
 * compare-and-set) fail if a client update stops sending these. Undefined when there are none.
 * @throws TypeError for a value holding CR or LF.
 */
function publishHeaders(options: AckedPublishOptions): MsgHdrs | undefined {
  let text = "NATS/1.0";
  if (options.msgId !== undefined) {
    if (/[\r\n]/.test(options.msgId)) throw new TypeError("a message id cannot contain CR or LF");
    text += `\r\nNats-Msg-Id: ${options.msgId}`;
  }
  if (options.expectedLastSubjectSequence !== undefined) {
    text += `\r\nNats-Expected-Last-Subject-Sequence: ${options.expectedLastSubjectSequence}`;
  }
  if (text.length === 8) return undefined;
  return new WireHeaders(Buffer.from(`${text}\r\n\r\n`)) as unknown as MsgHdrs;
}

/** Headers already in wire form; `encode()` is all the client's `publish` asks of them. */
class WireHeaders {
  private readonly bytes: Uint8Array;
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }
  encode(): Uint8Array {
    return this.bytes;
  }
}

interface Pending {
  resolve(ack: StreamAck): void;
  reject(error: StreamPublishError): void;
  deadline: number;
}

/**
 * A lean JetStream publisher for hot paths: every acknowledgement arrives on one wildcard inbox subscription and is
 * matched by a counter, with one sweep timer for timeouts. The client's own `js.publish` sets up a request per
 * message (a timer, a mux entry, and an `Error` with a stack trace each time), which cost the worker aggregate
 * about a quarter of its CPU. Same wire protocol: a core publish with a reply subject, headers for the message id
 * and the expected last subject sequence, and the JSON `PubAck` (or `{ error }`) in return.
 */
export function createAckedPublisher(
  nc: NatsConnection,
  options: { timeoutMs?: number; sweepMs?: number } = {},
): AckedPublisher {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const inbox = createInbox();
  const pending = new Map<string, Pending>();
  const decoder = new TextDecoder();
  let counter = 0;
  let closed = false;

  const settle = (msg: Msg): void => {
    const token = msg.subject.slice(inbox.length + 1);
    const waiter = pending.get(token);
    if (!waiter) return;
    pending.delete(token);
    if (msg.headers?.hasError || msg.data.length === 0) {
      const code = msg.headers?.code ?? 503;
      waiter.reject(
        new StreamPublishError(
          code === 503 ? "no stream answered the publish (no responders)" : `publish failed (${code})`,
          code,
        ),
      );
      return;
    }
    let reply: {
      stream?: string;
      seq?: number;
      duplicate?: boolean;
      error?: { err_code?: number; code?: number; description?: string };
    };
    try {
      reply = JSON.parse(decoder.decode(msg.data));
    } catch {
      waiter.reject(new StreamPublishError("the publish acknowledgement is not JSON", 500));
      return;
    }
    if (reply.error) {
      waiter.reject(
        new StreamPublishError(
          reply.error.description ?? "publish refused",
          reply.error.err_code ?? reply.error.code ?? 500,
        ),
      );
      return;
    }
    waiter.resolve({ stream: reply.stream ?? "", seq: reply.seq ?? 0, duplicate: reply.duplicate === true });
  };

  const subscription = nc.subscribe(`${inbox}.*`, {
    callback: (error, msg) => {
      if (!error) settle(msg);
    },
  });

  const sweeper = setInterval(
    () => {
      const now = Date.now();
      for (const [token, waiter] of pending) {
        if (waiter.deadline > now) continue;
        pending.delete(token);
        waiter.reject(new StreamPublishError(`no acknowledgement within ${timeoutMs} ms`, 408));
      }
    },
    options.sweepMs ?? Math.min(1_000, Math.max(50, timeoutMs / 4)),
  );
  sweeper.unref();

  const failAll = (reason: string): void => {
    for (const waiter of pending.values()) waiter.reject(new StreamPublishError(reason, 503));
    pending.clear();
  };
  void subscription.closed.then(() => {
    clearInterval(sweeper);
    failAll("the acknowledgement subscription closed");
  });

  return {
    publish(subject, data, publishOptions = {}) {
      if (closed) return Promise.reject(new StreamPublishError("the publisher is closed", 503));
      counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
      const token = counter.toString(36);
      let headers: MsgHdrs | undefined;
      try {
        headers = publishHeaders(publishOptions);
      } catch (error) {
        return Promise.reject(new StreamPublishError((error as Error).message, 400));
      }
      return new Promise<StreamAck>((resolve, reject) => {
        pending.set(token, { resolve, reject, deadline: Date.now() + timeoutMs });
        try {
          nc.publish(
            subject,
            data,
            headers ? { reply: `${inbox}.${token}`, headers } : { reply: `${inbox}.${token}` },
          );
        } catch (error) {
          pending.delete(token);
          reject(new StreamPublishError(`publish failed: ${(error as Error).message}`, 503));
        }
      });
    },
    pending: () => pending.size,
    close() {
      if (closed) return;
      closed = true;
      clearInterval(sweeper);
      failAll("the publisher is closed");
      subscription.unsubscribe();
    },
  };
}
