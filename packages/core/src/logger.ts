/**
 * Structured logger that fgakit writes to. Its shape matches pino's
 * `(object, message)` call form, so a pino instance can be passed as is.
 */
export interface Logger {
  debug(details: Record<string, unknown>, message: string): void;
  info(details: Record<string, unknown>, message: string): void;
  warn(details: Record<string, unknown>, message: string): void;
  error(details: Record<string, unknown>, message: string): void;
}

/** Logger that discards everything, the default of every fgakit component. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
