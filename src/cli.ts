#!/usr/bin/env node
import { ConfigError, loadConfig } from './config/load.js';
import { createLogger, type Logger } from './util/logger.js';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Exit codes: 2 for a configuration mistake (as most CLIs do for usage errors), 1 for a failure. */
const EXIT_USAGE = 2;
const EXIT_FAILURE = 1;

interface RunningBroker {
  readonly url: string;
  readonly port: number;
  readonly internalErrors: number;
  noteInternalError(): void;
  close(): Promise<void>;
}

/** A readable line for the errors a user can fix at start-up; anything else keeps its message. */
function describeStartupError(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
  const where = e.address === undefined ? '' : `${e.address}${e.port === undefined ? '' : `:${e.port}`}`;
  switch (e.code) {
    case 'EADDRINUSE':
      return `cannot listen on ${where}: address already in use (is another broker running? see --port)`;
    case 'EACCES':
      return `cannot listen on ${where}: permission denied (ports below 1024 need privileges; see --port)`;
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${where}: no such address on this machine (see --bind)`;
    default:
      return `start-up failed: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/**
 * The CLI owns its process, so it may enable V8's gc() for the memory alarm's process checks (garbage
 * would otherwise keep an idle, blocked broker over the heap limit). The library never does this.
 */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** How long a finished process may take to write its last log lines before it exits anyway. */
const EXIT_GRACE_MS = 2000;

/**
 * Ends the process once the log is written. pino writes stdout asynchronously: process.exit() right
 * after a log call can reorder the last lines or lose one still being written (a 'connection closed'
 * line came out after 'stopped'). Letting the event loop empty finishes those writes; the unref'd
 * timer only fires if something unexpected still holds the loop open.
 */
function exitWhenLogged(code: number): void {
  process.exitCode = code;
  setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
}

function fail(logger: Logger, err: unknown, message: string): void {
  logger.fatal({ err }, message);
  // With --log-level silent the log shows nothing; the user still needs to know why it stopped.
  if (!logger.isLevelEnabled('fatal')) process.stderr.write(`warren: ${message}\n`);
  exitWhenLogged(EXIT_FAILURE);
}

async function main(): Promise<void> {
  let loaded: ReturnType<typeof loadConfig>;
  try {
    loaded = loadConfig({ argv: process.argv.slice(2), env: process.env });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`warren: ${err.message}\nRun warren --help for the list of options.\n`);
    // exitCode rather than exit(): lets stderr drain when it is a pipe that is not synchronous.
    process.exitCode = EXIT_USAGE;
    return;
  }
  if (loaded.help) {
    process.stdout.write(loaded.text);
    return;
  }
  const { config } = loaded;
  const logger = createLogger(config.logLevel);

  let broker: RunningBroker | undefined;
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting without a clean shutdown');
      process.exit(EXIT_FAILURE);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // Before the broker is up there is nothing to close; start-up below notices `stopping`.
    if (broker !== undefined) void shutdown(broker);
  };
  const shutdown = async (running: RunningBroker): Promise<void> => {
    try {
      await running.close(); // the broker logs 'stopped'
      exitWhenLogged(0);
    } catch (err) {
      fail(logger, err, `shutdown failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // Last line of defence (a library must not install these; the broker guards its own callbacks): an
  // exception that still reaches the process is a bug, logged with its stack and counted, and the
  // broker keeps serving. Exiting would drop every client for one fault.
  const escaped = (kind: string) => (err: unknown): void => {
    broker?.noteInternalError();
    logger.fatal({ event: 'process.' + kind, err, internalErrors: broker?.internalErrors }, `${kind}: a bug in Warren; the broker keeps running`);
  };
  process.on('uncaughtException', escaped('uncaughtException'));
  process.on('unhandledRejection', escaped('unhandledRejection'));

  let running: RunningBroker;
  try {
    // Loaded lazily so --help and config errors work without loading the broker at all.
    const { startBroker } = await import('./broker.js');
    running = await startBroker({ ...config, logger, processMemoryChecks: true, collectGarbage: exposeGc() });
  } catch (err) {
    fail(logger, err, describeStartupError(err));
    return;
  }
  broker = running; // the broker logged 'listening' (without credentials in the URL)
  if (stopping) await shutdown(running);
}

main().catch((err: unknown) => {
  process.stderr.write(`warren: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(EXIT_FAILURE);
});
