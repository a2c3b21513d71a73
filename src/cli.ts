#!/usr/bin/env node
import { ConfigError, loadConfig } from './config/load.js';
import { isStartupError, STARTUP_EXIT_CODES } from './errors/startup.js';
import { createLogger, type Logger } from './util/logger.js';
import { packageVersion } from './util/version.js';
import { measureMemory } from 'node:vm';

/**
 * Exit codes: 0 after a clean stop; the StartupError kinds' codes for a failure to start
 * (2 configuration, 3 data directory, 4 listener, 5 store format); 1 for anything unexpected.
 */
const EXIT_FAILURE = 1;

interface RunningBroker {
  readonly url: string;
  readonly port: number;
  readonly internalErrors: number;
  noteInternalError(): void;
  reloadTls(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The CLI owns its process, so it may collect its garbage for the memory alarm's process checks
 * (garbage would otherwise keep an idle, blocked broker over the heap limit). An eager
 * vm.measureMemory() runs a full collection without any V8 flag (no --expose-gc). It is marked
 * experimental: Node prints one ExperimentalWarning on stderr the first time. An in-process inspector
 * session's HeapProfiler.collectGarbage was tried first: its reply never came and the event loop
 * stopped serving. The library never does this.
 */
async function collectGarbage(): Promise<void> {
  await measureMemory({ mode: 'summary', execution: 'eager' });
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

/** One plain line on stderr for whoever started us (a person, systemd), and the same as a log line. */
function fail(logger: Logger, err: unknown, message: string, code: number): void {
  // An expected failure is described by its message: no stack trace for the operator to wade through.
  const detail = isStartupError(err)
    ? { kind: err.kind, cause: err.cause instanceof Error ? err.cause.message : undefined }
    : { err };
  logger.fatal({ ...detail, exitCode: code }, message);
  process.stderr.write(`warren: ${message}\n`);
  exitWhenLogged(code);
}

function describeFailure(err: unknown): { message: string; code: number } {
  if (isStartupError(err)) return { message: err.message, code: err.exitCode };
  if (err instanceof ConfigError) return { message: err.message, code: STARTUP_EXIT_CODES.config };
  return { message: `start-up failed: ${err instanceof Error ? err.message : String(err)}`, code: EXIT_FAILURE };
}

async function main(): Promise<void> {
  let loaded: ReturnType<typeof loadConfig>;
  try {
    loaded = loadConfig({ argv: process.argv.slice(2), env: process.env });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`warren: ${err.message} (warren --help lists the options)\n`);
    // For whoever collects stdout (journald, Docker). On a terminal the stderr line says it already.
    if (process.stdout.isTTY !== true) createLogger('fatal').fatal({ exitCode: STARTUP_EXIT_CODES.config }, err.message);
    // exitCode rather than exit(): lets stderr drain when it is a pipe that is not synchronous.
    process.exitCode = STARTUP_EXIT_CODES.config;
    return;
  }
  if (loaded.help) {
    process.stdout.write(loaded.text);
    return;
  }
  if (loaded.version === true) {
    process.stdout.write(`${packageVersion()}\n`);
    return;
  }
  const { config, warnings } = loaded;
  const logger = createLogger(config.logLevel, undefined, config.logFormat);
  for (const warning of warnings) logger.warn({ event: 'config.ignored' }, warning);

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
      fail(logger, err, `shutdown failed: ${err instanceof Error ? err.message : String(err)}`, EXIT_FAILURE);
    }
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // SIGHUP reloads the TLS files (only with TLS: otherwise a hangup still ends the process, as before).
  if (config.tlsPort !== null) {
    process.on('SIGHUP', () => {
      logger.info({ signal: 'SIGHUP' }, 'reloading TLS certificates');
      broker?.reloadTls().catch(() => undefined); // a failure is logged by the broker, which keeps the old ones
    });
  }
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
    running = await startBroker({ ...config, logger, processMemoryChecks: true, collectGarbage });
  } catch (err) {
    const { message, code } = describeFailure(err);
    fail(logger, err, message, code);
    return;
  }
  broker = running; // the broker logged its start-up line (without credentials in the URL)
  if (stopping) await shutdown(running);
}

main().catch((err: unknown) => {
  process.stderr.write(`warren: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(EXIT_FAILURE);
});
