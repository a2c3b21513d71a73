import { pino } from 'pino';

export type Logger = pino.Logger;

/**
 * JSON lines at `level` to `destination`, stdout by default. One logger per broker, passed in:
 * never a module-level instance, so ten brokers in one test process log independently.
 * pino's default stdout stream is asynchronous and flushes itself on process exit.
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options: pino.LoggerOptions = { level, name: 'warren' };
  return destination === undefined ? pino(options) : pino(options, destination);
}

/** Discards everything: for tests and embedders that do not pass a logger. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
