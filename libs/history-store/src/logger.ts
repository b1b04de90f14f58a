/** The logging the stores need; a pino logger satisfies it. */
export type HistoryStoreLogger = {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
};

/** A logger that drops everything (the default). */
export const silentLogger: HistoryStoreLogger = {
  info: () => {},
  warn: () => {},
};
