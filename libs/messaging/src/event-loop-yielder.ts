import { setImmediate as nextTurn } from "node:timers/promises";

/** Default work a loop may do before it lets the event loop turn (ms). */
export const DEFAULT_SLICE_MS = 5;

/**
 * For loops that work through a burst of messages (a KV watch, a live event feed): returns a function that answers
 * undefined (go on) until `sliceMs` of work passed since the last turn, then a promise of one turn of the event loop,
 * so HTTP requests, timers and other sockets are served in between. A `for await` over a NATS iterator otherwise
 * runs on microtasks alone and serves nothing else until the burst is through (at 5,000 workers, the api answered
 * `GET /workers` up to 80 ms late behind a slot's worth of KV updates).
 * @example const yielder = createEventLoopYielder(); for await (const m of sub) { handle(m); await yielder(); }
 */
export function createEventLoopYielder(
  sliceMs = DEFAULT_SLICE_MS,
  now: () => number = performance.now.bind(performance),
): () => Promise<void> | undefined {
  let sliceStart = now();
  return () => {
    if (now() - sliceStart < sliceMs) return undefined;
    return nextTurn().then(() => {
      sliceStart = now();
    });
  };
}
