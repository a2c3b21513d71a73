import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { BrokerContext } from './amqp/broker-context.js';
import { AmqpServer } from './amqp/server.js';
import { ResourceAlarms } from './amqp/flow-control.js';

const ALARM_CHECK_MS = 250;
import { serverProperties } from './amqp/server-properties.js';
import { resolveConfig, type Config, type ConfigInput } from './config/load.js';
import type { VirtualHost } from './core/vhost.js';
import { recover } from './recovery.js';
import { createLogger, type Logger } from './util/logger.js';

export interface BrokerOptions extends ConfigInput {
  /** Defaults to a pino logger at the configured level on stdout. */
  readonly logger?: Logger;
  /**
   * The memory alarm also judges the whole process (V8 heap against its heap_size_limit, RSS) besides
   * what this broker holds. For a process that runs one broker, as the CLI does; default false.
   */
  readonly processMemoryChecks?: boolean;
  /** A full GC the process checks may run before deciding (the CLI enables V8's); never forced otherwise. */
  readonly collectGarbage?: () => void;
}

export interface Broker {
  /** An AMQP URL a client can connect to, with the default guest credentials when they exist. */
  readonly url: string;
  readonly port: number;
  readonly config: Config;
  readonly vhosts: ReadonlyMap<string, VirtualHost>;
  connectionCount(): number;
  /**
   * Exceptions that escaped a handler while serving a connection, channel, queue or exchange: each is a
   * bug, logged with its stack ('internal error'); only what it hit was ended (541 INTERNAL_ERROR).
   */
  readonly internalErrors: number;
  /** Counts a bug the embedder caught outside the broker's own guards (the CLI's process-level handlers). */
  noteInternalError(): void;
  /** Closes every connection with 320 CONNECTION_FORCED and stops listening. */
  close(): Promise<void>;
}

/** The composition root: config → vhosts → listeners. Start order here, stop order in close(). */
export async function startBroker(options: BrokerOptions = {}): Promise<Broker> {
  const { logger: givenLogger, processMemoryChecks = false, collectGarbage, ...input } = options;
  const config = resolveConfig(input);
  const logger = givenLogger ?? createLogger(config.logLevel);
  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const { vhosts, persistence, definitions } = recover(dataDir, config.vhosts, config.fsync, logger);

  let clock = Date.now();
  let internalErrors = 0;
  const internalError = (err: unknown, where: Readonly<Record<string, unknown>>): void => {
    internalErrors++;
    logger.error({ event: 'internal.error', err, ...where }, 'internal error');
  };
  for (const vhost of vhosts.values()) vhost.onFault = internalError;
  const heldBytes = (): number => {
    let n = server.bufferedBytes();
    for (const vhost of vhosts.values()) n += vhost.heldBytes.bytes;
    return n;
  };
  const alarms = new ResourceAlarms(config, dataDir, logger, { heldBytes, processChecks: processMemoryChecks, collectGarbage }, (active) =>
    server.setAlarm(active, alarms.reason),
  );
  const ctx: BrokerContext = {
    config,
    logger,
    vhosts,
    serverProperties: serverProperties('warren'),
    now: () => clock,
    internalError,
    alarms,
  };
  const server = new AmqpServer(ctx, () => {
    clock = Date.now();
  });
  const alarmTimer = setInterval(() => {
    try {
      alarms.check();
    } catch (err) {
      internalError(err, { during: 'alarm check' });
    }
  }, ALARM_CHECK_MS);
  alarmTimer.unref();
  const port = await server.listen(config.port, config.bind);
  const url = brokerUrl(config, port);
  logger.info({ event: 'broker.listening', url: url.replace(/\/\/[^@]*@/, '//'), bind: config.bind, port }, 'listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    config,
    vhosts,
    connectionCount: () => server.connectionCount,
    get internalErrors() {
      return internalErrors;
    },
    noteInternalError: () => {
      internalErrors++;
    },
    close: () => {
      clearInterval(alarmTimer);
      closing ??= server
        .close()
        .then(() => persistence.scheduler.idle())
        .then(() => {
          persistence.closeAll();
          definitions.close();
          logger.info({ event: 'broker.stopped' }, 'stopped');
        });
      return closing;
    },
  };
}

function brokerUrl(config: Config, port: number): string {
  const first = config.bind[0] ?? '127.0.0.1';
  const host = first === '0.0.0.0' ? '127.0.0.1' : first === '::' ? '[::1]' : first.includes(':') ? `[${first}]` : first;
  const guest = config.users.find((u) => u.name === 'guest' && u.password === 'guest');
  return `amqp://${guest !== undefined ? 'guest:guest@' : ''}${host}:${port}`;
}
