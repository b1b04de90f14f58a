/** What {@link onShutdownSignals} logs through (a pino logger fits). */
export interface ShutdownLogger {
  info(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
  flush?(): void;
}

/** Options of {@link onShutdownSignals}. */
export interface ShutdownOptions {
  readonly logger: ShutdownLogger;
  /** Stops the service's parts in order (consumers drained, publishers flushed, connections and servers closed). */
  readonly stop: (signal: string) => Promise<void>;
  /** Longest a stop may take before the process exits with 1 anyway (default 15 s: NATS may be gone). */
  readonly timeoutMs?: number;
  /** Signals to handle (default SIGTERM and SIGINT). */
  readonly signals?: readonly NodeJS.Signals[];
  /** Ends the process (default `process.exit`); tests pass their own. */
  readonly exit?: (code: number) => void;
}

/**
 * Makes the first SIGTERM/SIGINT stop the service: logs `stopping`, runs `stop`, logs `stopped` and exits 0; exits 1
 * (logged) when `stop` fails or does not finish within `timeoutMs`. Later signals are ignored while it stops.
 * Returns the handler (what a signal runs), so tests can call it directly.
 * @example onShutdownSignals({ logger, stop: async () => { await service.stop(); await nc.drain(); } });
 */
export function onShutdownSignals(options: ShutdownOptions): (signal: string) => Promise<void> {
  const { logger } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const timeoutMs = options.timeoutMs ?? 15_000;
  let stopping: Promise<void> | undefined;
  const end = (code: number): void => {
    logger.flush?.();
    exit(code);
  };
  const handler = (signal: string): Promise<void> => {
    stopping ??= (async () => {
      logger.info({ signal }, "stopping");
      const timer = setTimeout(() => {
        logger.error({ signal, timeoutMs }, `shutdown did not finish within ${timeoutMs / 1000} s; exiting`);
        end(1);
      }, timeoutMs);
      timer.unref();
      try {
        await options.stop(signal);
        clearTimeout(timer);
        logger.info({ signal }, "stopped");
        end(0);
      } catch (error) {
        clearTimeout(timer);
        logger.error(
          { signal, err: error instanceof Error ? error.message : String(error) },
          "unclean shutdown",
        );
        end(1);
      }
    })();
    return stopping;
  };
  for (const signal of options.signals ?? ["SIGTERM", "SIGINT"]) {
    process.on(signal, () => void handler(signal));
  }
  return handler;
}
