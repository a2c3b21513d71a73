import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Message, unreadableReason } from './core/message.js';
import { VirtualHost } from './core/vhost.js';
import type { Queue } from './core/queue/queue.js';
import type { Exchange } from './core/exchange/exchange.js';
import { decodeTable } from './protocol/field-table.js';
import { delayedDir, Persistence, queueDir } from './persistence.js';
import { DELAYED_EXCHANGE_TYPE } from './core/exchange/delayed.js';
import { DefinitionsStore } from './store/definitions-store.js';
import { QueueLog, type RecoveredMessage } from './store/queue-log.js';
import { SyncScheduler, type FsyncPolicy } from './store/sync-scheduler.js';
import type { Logger } from './util/logger.js';

const NO_OWNER = {};
const PROGRESS_INTERVAL_MS = 1000;

export interface Recovered {
  readonly vhosts: Map<string, VirtualHost>;
  readonly persistence: Persistence;
  readonly definitions: DefinitionsStore;
  readonly stats: { readonly queues: number; readonly messages: number; readonly ms: number };
}

/**
 * Restores durable state before the listener opens: definitions (compacted), then each durable
 * queue's messages, in order, logging progress so an operator can watch a large recovery.
 */
export function recover(dataDir: string, configVhosts: readonly string[], fsync: FsyncPolicy, logger: Logger): Recovered {
  const started = Date.now();
  // Page files only hold the tails of queues of the previous run: nothing in them is needed now.
  rmSync(join(dataDir, 'pages'), { recursive: true, force: true });
  const { store, definitions, damage } = DefinitionsStore.open(dataDir);
  for (const d of damage) logger.warn({ event: 'store.damaged', detail: d }, `definitions damaged: ${d}`);
  const scheduler = new SyncScheduler(fsync, (err) => logger.error({ err }, 'message store write failed'));
  const persistence = new Persistence(dataDir, store, scheduler);

  const vhosts = new Map<string, VirtualHost>();
  for (const name of new Set([...configVhosts, ...definitions.vhosts])) {
    vhosts.set(name, new VirtualHost(name, persistence));
    if (!definitions.vhosts.has(name)) store.write({ op: 'put-vhost', name });
  }

  persistence.muted = true;
  const liveDirs = new Set<string>();
  for (const x of definitions.exchanges.values()) {
    const delayed = x.type === DELAYED_EXCHANGE_TYPE ? delayedDir(dataDir, x.vhost, x.name) : undefined;
    let held: RecoveredMessage[] = [];
    if (delayed !== undefined) {
      liveDirs.add(delayed);
      const { log, report } = QueueLog.recover(delayed, scheduler);
      for (const d of report.damage) logger.warn({ event: 'store.damaged', exchange: x.name, vhost: x.vhost, detail: d }, `message store damaged: ${d}`);
      persistence.recovered.set(delayed, log);
      held = report.messages;
    }
    let exchange: Exchange | undefined;
    try {
      exchange = vhosts.get(x.vhost)?.declareExchange({
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
    }
  }
  const total = definitions.queues.size;
  let queuesDone = 0;
  let messages = 0;
  let lastProgress = Date.now();
  for (const q of definitions.queues.values()) {
    const vhost = vhosts.get(q.vhost);
    if (vhost === undefined) continue;
    const dir = queueDir(dataDir, q.vhost, q.name);
    liveDirs.add(dir);
    const { log, report } = QueueLog.recover(dir, scheduler);
    for (const d of report.damage) logger.warn({ event: 'store.damaged', queue: q.name, vhost: q.vhost, detail: d }, `message store damaged: ${d}`);
    persistence.recovered.set(dir, log);
    let queue: Queue;
    try {
      // serverNamed: the name was accepted when the queue was declared (amq.gen-… names included).
      queue = vhost.declareQueue(
        { name: q.name, passive: false, durable: true, exclusive: false, autoDelete: q.autoDelete, arguments: decodeTable(Buffer.from(q.arguments, 'base64')), serverNamed: true },
        NO_OWNER,
      );
    } catch (err) {
      // One definition this version refuses must not keep the broker down; its files stay on disk.
      persistence.recovered.delete(dir);
      log.close();
      logger.error({ event: 'recovery.queue-skipped', queue: q.name, vhost: q.vhost, err }, `queue '${q.name}' could not be restored`);
      continue;
    }
    for (const m of report.messages) {
      const message = new Message(m.exchange, m.routingKey, m.properties, m.body, false);
      if (message.unreadable) warnUnreadable(logger, m.properties, { queue: q.name, vhost: q.vhost });
      queue.restore(message, m.priority, m.expiresAt, m.delivered, m.location);
    }
    messages += report.messages.length;
    queuesDone++;
    if (Date.now() - lastProgress >= PROGRESS_INTERVAL_MS) {
      lastProgress = Date.now();
      logger.info({ event: 'recovery.progress', queues: queuesDone, total, messages }, `recovering: ${queuesDone}/${total} queues, ${messages} messages`);
    }
  }
  for (const b of definitions.bindings.values()) {
    const vhost = vhosts.get(b.vhost);
    if (vhost === undefined) continue;
    const args = decodeTable(Buffer.from(b.arguments, 'base64'));
    try {
      if (b.destinationKind === 'queue') vhost.bindQueue(b.destination, b.source, b.routingKey, args, NO_OWNER);
      else vhost.bindExchange(b.destination, b.source, b.routingKey, args);
    } catch (err) {
      logger.warn({ event: 'recovery.binding-skipped', binding: b, err }, 'a stored binding could not be restored');
    }
  }
  persistence.muted = false;
  removeOrphans(join(dataDir, 'msgs'), liveDirs, logger);
  const ms = Date.now() - started;
  if (total > 0 || messages > 0) {
    logger.info({ event: 'recovery.done', queues: total, messages, ms }, `recovered ${total} queues and ${messages} messages in ${ms} ms`);
  }
  return { vhosts, persistence, definitions: store, stats: { queues: total, messages, ms } };
}

/** Message directories of queues no longer defined (deleted just before a crash). */
function removeOrphans(root: string, live: Set<string>, logger: Logger): void {
  let entries: string[];
  try {
    entries = readdirSync(root);
  } catch {
    return;
  }
  for (const e of entries) {
    const dir = join(root, e);
    if (live.has(dir)) continue;
    rmSync(dir, { recursive: true, force: true });
    logger.info({ event: 'store.orphan-removed', dir }, 'removed the messages of a queue that no longer exists');
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
