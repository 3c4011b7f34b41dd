/**
 * The logging port: the subset of pino's API (the logger Fastify itself uses) that the platform's
 * modules call, so that none of them imports pino and a test can hand them
 * `pino({ level: "silent" })`, a recording fake or `silentLogger`.
 *
 * Fields first, message second, as pino wants: `log.warn({ err, since }, "InfluxDB unreachable")`.
 * An `err` field holding an Error is written with its type, message and stack. Modules log
 * incidents and their recovery, never a line per reading or per message.
 */
export interface LogFn {
  (message: string): void;
  (fields: object, message?: string): void;
}

export interface Logger {
  error: LogFn;
  warn: LogFn;
  info: LogFn;
  debug: LogFn;
  /** A logger whose lines all carry `bindings` (e.g. `{ component: "spool" }`). */
  child(bindings: Record<string, unknown>): Logger;
}

const nothing = (): void => {};

/** Drops every line: the default of modules built without a logger (tests, tools, benchmarks). */
export const silentLogger: Logger = {
  error: nothing,
  warn: nothing,
  info: nothing,
  debug: nothing,
  child: () => silentLogger,
};
