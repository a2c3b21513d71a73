import { pino } from 'pino';
import pretty from 'pino-pretty';

export type Logger = pino.Logger;

/** json: one object per line; pretty: coloured lines for a person; auto: pretty on a terminal only. */
export type LogFormat = 'auto' | 'json' | 'pretty';

/**
 * Logs at `level`: JSON lines to `destination` when one is given, else to stdout in `format`.
 * One logger per broker, passed in: never a module-level instance, so ten brokers in one test
 * process log independently. pino's default stdout stream is asynchronous and flushes itself on
 * process exit; the pretty stream writes synchronously, so its lines keep their order at exit too.
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream, format: LogFormat = 'json'): Logger {
  const options: pino.LoggerOptions = { level, name: 'warren' };
  if (destination !== undefined) return pino(options, destination);
  const usePretty = format === 'pretty' || (format === 'auto' && process.stdout.isTTY === true);
  if (!usePretty) return pino(options);
  return pino(
    options,
    pretty({ colorize: process.stdout.isTTY === true, destination: 1, sync: true, ignore: 'pid,hostname,name', singleLine: true }),
  );
}

/** Discards everything: for tests and embedders that do not pass a logger. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
