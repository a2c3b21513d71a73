import { rm } from 'node:fs/promises';
import type { SchemaCache } from './core/exchange/schema.js';
import { join } from 'node:path';
import { checkStoreFormats, refusal } from './format-gate.js';
import { Message, unreadableReason } from './core/message.js';
import type { Clock } from './core/clock.js';
import { VirtualHost } from './core/vhost.js';
import { brokerPrincipal } from './core/principal.js';
import type { Queue } from './core/queue/queue.js';
import type { Exchange } from './core/exchange/exchange.js';
import { decodeTable } from './protocol/field-table.js';
import { delayedDir, Persistence, queueDir } from './persistence.js';
import { DELAYED_EXCHANGE_TYPE } from './core/exchange/delayed.js';
import { DefinitionsStore, type Definitions } from './store/definitions-store.js';
import { RefusedFileError } from './store/format.js';
import { sweepMessageDirs } from './store/orphan-sweep.js';
import { Pacer } from './store/pacer.js';
import { Quarantine } from './store/quarantine.js';
import { QueueLog, type RecoveredMessage } from './store/queue-log.js';
import { SyncScheduler, type FsyncPolicy } from './store/sync-scheduler.js';
import type { Logger } from './util/logger.js';

const PROGRESS_INTERVAL_MS = 1000;
const STORE_ERROR_REPEAT_MS = 60_000;

export interface Recovered {
  readonly vhosts: Map<string, VirtualHost>;
  readonly persistence: Persistence;
  readonly definitions: DefinitionsStore;
  /** The permissions the log holds, and whether they were ever seeded from the configuration. */
  readonly access: Definitions['access'];
  /** Policies and operator policies, applied by the broker before it listens (broker-policies.ts). */
  readonly policies: Definitions['policies'];
  /** Runtime parameters (nats-bridge), started by the broker once it listens (broker-bridge.ts). */
  readonly parameters: Definitions['parameters'];
  /** Users, vhost metadata and whether the configured users were ever seeded, as the log holds them. */
  readonly security: Pick<Definitions, 'users' | 'usersSeeded' | 'vhostMeta'>;
  readonly stats: { readonly queues: number; readonly messages: number; readonly ms: number };
}

export interface RecoveryOptions {
  readonly fsync: FsyncPolicy;
  /** Start even over files this version cannot read, moving them to the quarantine. */
  readonly forceRecovery: boolean;
  /** The broker's clock, handed to every vhost. */
  readonly clock: Clock;
  /** The broker's compiled x-schema cache, handed to every vhost before its exchanges are restored. */
  readonly schemas?: SchemaCache;
}

/** What the restore steps share. */
interface Run {
  readonly dataDir: string;
  readonly definitions: Definitions;
  readonly vhosts: Map<string, VirtualHost>;
  readonly persistence: Persistence;
  readonly scheduler: SyncScheduler;
  readonly pacer: Pacer;
  readonly logger: Logger;
  /** Message directories some definition claims: the sweep leaves them alone. */
  readonly liveDirs: Set<string>;
}

/**
 * Restores durable state before the listener opens: every file header checked first (a file this
 * version cannot read stops start-up before anything changes), then definitions (compacted),
 * then each durable queue's messages, in order, logging progress so an operator can watch a
 * large recovery. Asynchronous and paced: an embedding application's event loop keeps turning.
 * The caller holds the data directory's lock.
 */
export async function recover(dataDir: string, configVhosts: readonly string[], options: RecoveryOptions, logger: Logger): Promise<Recovered> {
  const started = Date.now();
  const quarantine = new Quarantine(dataDir, new Date(started));
  await checkStoreFormats(dataDir, options.forceRecovery, quarantine, logger);
  // Page files only hold the tails of queues of the previous run: nothing in them is needed now.
  await rm(join(dataDir, 'pages'), { recursive: true, force: true });
  const { store, definitions, damage, fresh } = await openDefinitions(dataDir);
  for (const d of damage) logger.warn({ event: 'store.damaged', detail: d }, `definitions damaged: ${d}`);
  store.onTrouble = (failing, waiting) => {
    if (failing) {
      logger.error(
        { event: 'definitions.write-failed', file: store.file, waiting },
        'definitions log write failed (see the store error): declares, deletes and binds are kept and retried every second; their replies wait until they are on disk',
      );
    } else {
      logger.warn({ event: 'definitions.write-resumed', file: store.file, waiting }, 'definitions log writable again: held replies sent');
    }
  };
  const scheduler = new SyncScheduler(options.fsync, storeErrorLogger(logger));
  const persistence = new Persistence(dataDir, store, scheduler);
  const vhosts = new Map<string, VirtualHost>();
  const run: Run = { dataDir, definitions, vhosts, persistence, scheduler, pacer: new Pacer(), logger, liveDirs: new Set() };
  try {
    // Configured vhosts seed a new data directory (as RabbitMQ's default_vhost): after that the
    // log is the truth, so a vhost deleted at runtime stays deleted across restarts.
    for (const name of fresh ? configVhosts : definitions.vhosts) {
      const vhost = new VirtualHost(name, options.clock, persistence);
      vhost.schemas = options.schemas;
      vhosts.set(name, vhost);
      if (fresh) store.write({ op: 'put-vhost', name });
    }
    // Before the exchanges: an x-schema may name one of them.
    for (const s of definitions.schemas.values()) if (vhosts.has(s.vhost)) options.schemas?.registry.set(s.vhost, s.name, s.schema);
    persistence.muted = true;
    await restoreExchanges(run);
    const messages = await restoreQueues(run);
    restoreBindings(run);
    persistence.muted = false;
    await sweepMessageDirs(dataDir, run.liveDirs, new Set(definitions.deletedDirs.keys()), quarantine, logger);
    const ms = Date.now() - started;
    const queues = definitions.queues.size;
    if (queues > 0 || messages > 0) {
      logger.info({ event: 'recovery.done', queues, messages, ms }, `recovered ${queues} queues and ${messages} messages in ${ms} ms`);
    }
    const security = { users: definitions.users, usersSeeded: definitions.usersSeeded, vhostMeta: definitions.vhostMeta };
    return { vhosts, persistence, definitions: store, access: definitions.access, policies: definitions.policies, parameters: definitions.parameters, security, stats: { queues, messages, ms } };
  } catch (err) {
    persistence.closeAll();
    store.close();
    // A file changed between the header scan and its reading: still refused, not emptied.
    if (err instanceof RefusedFileError) throw refusal(dataDir, err.files);
    throw err;
  }
}

async function openDefinitions(dataDir: string): ReturnType<typeof DefinitionsStore.open> {
  try {
    return await DefinitionsStore.open(dataDir);
  } catch (err) {
    if (err instanceof RefusedFileError) throw refusal(dataDir, err.files);
    throw err;
  }
}

async function restoreExchanges(run: Run): Promise<void> {
  const { dataDir, logger } = run;
  for (const x of run.definitions.exchanges.values()) {
    const delayed = x.type === DELAYED_EXCHANGE_TYPE ? delayedDir(dataDir, x.vhost, x.name) : undefined;
    let held: RecoveredMessage[] = [];
    if (delayed !== undefined) {
      run.liveDirs.add(delayed);
      const { log, report } = await QueueLog.recover(delayed, run.scheduler, run.pacer);
      for (const d of report.damage) logger.warn({ event: 'store.damaged', exchange: x.name, vhost: x.vhost, detail: d }, `message store damaged: ${d}`);
      run.persistence.recovered.set(delayed, log);
      held = report.messages;
    }
    let exchange: Exchange | undefined;
    try {
      exchange = run.vhosts.get(x.vhost)?.declareExchange({
        name: x.name,
        type: x.type,
        passive: false,
        durable: true,
        autoDelete: x.autoDelete,
        internal: x.internal,
        arguments: decodeTable(Buffer.from(x.arguments, 'base64')),
      });
    } catch (err) {
      logger.error({ event: 'recovery.exchange-skipped', exchange: x.name, vhost: x.vhost, err }, `exchange '${x.name}' could not be restored`);
      continue;
    }
    for (const m of held) {
      warnUnreadable(logger, m.properties, { exchange: x.name, vhost: x.vhost });
      exchange?.delayed?.restore(m.routingKey, m.properties, m.body, m.expiresAt, m.location);
      if (run.pacer.tick()) await run.pacer.pause();
    }
  }
}

/** Returns how many messages came back. */
async function restoreQueues(run: Run): Promise<number> {
  const { dataDir, logger, pacer } = run;
  const total = run.definitions.queues.size;
  let queuesDone = 0;
  let messages = 0;
  let lastProgress = Date.now();
  for (const q of run.definitions.queues.values()) {
    const dir = queueDir(dataDir, q.vhost, q.name);
    run.liveDirs.add(dir);
    const vhost = run.vhosts.get(q.vhost);
    if (vhost === undefined) continue;
    const { log, report } = await QueueLog.recover(dir, run.scheduler, pacer);
    for (const d of report.damage) logger.warn({ event: 'store.damaged', queue: q.name, vhost: q.vhost, detail: d }, `message store damaged: ${d}`);
    run.persistence.recovered.set(dir, log);
    let queue: Queue;
    try {
      // serverNamed: the name was accepted when the queue was declared (amq.gen-… names included).
      queue = vhost.declareQueue(
        { name: q.name, passive: false, durable: true, exclusive: false, autoDelete: q.autoDelete, arguments: decodeTable(Buffer.from(q.arguments, 'base64')), serverNamed: true },
        brokerPrincipal(q.vhost),
      );
    } catch (err) {
      // One definition this version refuses must not keep the broker down; its files stay on disk.
      run.persistence.recovered.delete(dir);
      log.close();
      logger.error({ event: 'recovery.queue-skipped', queue: q.name, vhost: q.vhost, err }, `queue '${q.name}' could not be restored`);
      continue;
    }
    for (const m of report.messages) {
      const message = new Message(m.exchange, m.routingKey, m.properties, m.body, false);
      if (message.unreadable) warnUnreadable(logger, m.properties, { queue: q.name, vhost: q.vhost });
      queue.restore(message, m.priority, m.expiresAt, m.delivered, m.location);
      if (pacer.tick()) await pacer.pause();
    }
    messages += report.messages.length;
    queuesDone++;
    if (Date.now() - lastProgress >= PROGRESS_INTERVAL_MS) {
      lastProgress = Date.now();
      logger.info({ event: 'recovery.progress', queues: queuesDone, total, messages }, `recovering: ${queuesDone}/${total} queues, ${messages} messages`);
    }
  }
  return messages;
}

function restoreBindings(run: Run): void {
  for (const b of run.definitions.bindings.values()) {
    const vhost = run.vhosts.get(b.vhost);
    if (vhost === undefined) continue;
    const args = decodeTable(Buffer.from(b.arguments, 'base64'));
    try {
      if (b.destinationKind === 'queue') vhost.bindQueue(b.destination, b.source, b.routingKey, args, brokerPrincipal(b.vhost));
      else vhost.bindExchange(b.destination, b.source, b.routingKey, args);
    } catch (err) {
      run.logger.warn({ event: 'recovery.binding-skipped', binding: b, err }, 'a stored binding could not be restored');
    }
  }
}

/** One line per stored message whose content header does not decode; Message applies the rule (README, Durability). */
function warnUnreadable(logger: Logger, properties: Buffer, where: { queue?: string; exchange?: string; vhost: string }): void {
  const reason = unreadableReason(properties);
  if (reason === undefined) return;
  logger.warn(
    { event: 'recovery.unreadable-properties', ...where, reason },
    `stored message with a content header that does not decode (${reason}): kept with its header bytes as stored, its headers are not read`,
  );
}

/**
 * A failed write is retried every second until the disk takes it: one line per kind of error a
 * minute (with how many were not logged), not one per retry.
 */
function storeErrorLogger(logger: Logger): (err: unknown) => void {
  let lastCode: string | undefined;
  let lastAt = 0;
  let suppressed = 0;
  return (err) => {
    const code = (err as NodeJS.ErrnoException | undefined)?.code ?? 'unknown';
    const now = Date.now();
    if (code === lastCode && now - lastAt < STORE_ERROR_REPEAT_MS) {
      suppressed++;
      return;
    }
    const more = suppressed > 0 ? ` (${suppressed} more like it in the last minute not logged)` : '';
    logger.error({ event: 'store.write-failed', err, suppressed }, `message store write failed${more}; retrying every second`);
    lastCode = code;
    lastAt = now;
    suppressed = 0;
  };
}

