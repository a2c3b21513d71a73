import type { FieldTable, FieldValue } from '../../protocol/field-table.js';
import type { Exchange } from '../exchange/exchange.js';
import { headerKey, Message } from '../message.js';
import type { SyncTicket } from '../persistence.js';
import { checkPublishable } from '../publish.js';
import type { DeathReason } from '../queue/dead-letter.js';
import type { QueueEntry } from '../queue/entry.js';
import type { Queue } from '../queue/queue.js';
import type { PrincipalAccess } from '../security/access.js';
import { checkPublish, checkPublishTopic, checkQueueRead } from '../security/access-rules.js';
import type { VirtualHost } from '../vhost.js';

/** At most this many messages move in one call (max is capped to it). */
export const MAX_REDRIVE = 100_000;

export interface RedriveOptions {
  /** Publish here (by name; '' is the default exchange) instead of back to the x-death queue. */
  readonly exchange?: string;
  /** With exchange: the routing key, instead of the message's original keys. */
  readonly routingKey?: string;
  /** Only messages whose latest death (x-death's first entry) was for this reason. */
  readonly reason?: DeathReason;
  /** At most this many (default and cap: MAX_REDRIVE). */
  readonly max?: number;
  /**
   * The caller's access: read on the dead-letter queue (as basic.get), write on the target exchange
   * (as basic.publish; 'amq.default' without exchange), and the topic permission per routing key.
   * Undefined: nothing checked (the embedder itself).
   */
  readonly access?: PrincipalAccess;
}

export interface RedriveResult {
  /** Published to, and confirmed by, their target queues, then removed here. */
  readonly moved: number;
  /** Looked at and left where they were: another reason, no x-death, no target queue, unroutable or refused there. */
  readonly skipped: number;
}

const X_DEATH = headerKey('x-death');

interface Target {
  readonly exchange: Exchange;
  readonly routingKeys: readonly string[];
}

/**
 * Moves messages from a dead-letter queue, head first, back to the queue named in their latest
 * x-death entry (through the default exchange, keyed by that queue's name: only that queue gets it,
 * not whatever else the original keys would reach now), or to a given exchange with a given key or
 * the original routing keys (x-death's routing-keys). Through the vhost's one publish path; each
 * message atomically: claimed here (no consumer, expiry or purge takes it), published, and removed
 * here only once every target queue took it and wrote it to disk where it is persistent (the
 * ticket of a publisher confirm); if not, it goes back to its place, untouched. A crash between
 * the target's fsync and the removal here duplicates the message, never loses it. The properties
 * and body travel unchanged (x-death included, so a next death counts on).
 *
 * A long queue's paged tail is read back as the window empties (the queue's own read-ahead),
 * so one call can move more than the in-memory window, up to max.
 */
export async function redrive(vhost: VirtualHost, queue: Queue, options: RedriveOptions = {}): Promise<RedriveResult> {
  const { access } = options;
  const max = Math.min(MAX_REDRIVE, Math.max(0, Math.floor(options.max ?? MAX_REDRIVE)));
  if (access !== undefined) checkQueueRead(access, queue.name);
  let fixed: Exchange | undefined;
  if (options.exchange !== undefined) {
    if (access !== undefined) checkPublish(access, options.exchange === '' ? 'amq.default' : options.exchange);
    fixed = vhost.getExchange(options.exchange);
    checkPublishable(fixed, vhost.name);
  } else if (access !== undefined) {
    checkPublish(access, 'amq.default');
  }
  const defaultExchange = vhost.getExchange('');
  const { ready, paging, expiry } = queue.internals();
  let moved = 0;
  let skipped = 0;
  let started = 0;
  const settles: Promise<void>[] = [];
  let lastSeq = -1;
  for (;;) {
    const batch: QueueEntry[] = [];
    ready.forEachReady((e) => {
      if (e.seq > lastSeq) batch.push(e); // else looked at in an earlier pass (a priority queue has one pass: it never pages)
      return true;
    });
    for (const e of batch) {
      if (e.seq > lastSeq) lastSeq = e.seq;
      if (started >= max) break;
      const target = targetOf(e.message, options, fixed ?? defaultExchange, fixed === undefined, vhost, access);
      if (target === undefined || !ready.claim(e)) {
        skipped++;
        continue;
      }
      expiry.untrack(e);
      started++;
      settles.push(move(vhost, queue, e, target).then((ok) => (ok ? moved++ : skipped++)).then(() => undefined));
    }
    if (started >= max || queue.isDeleted || paging.count === 0) break;
    paging.refill();
    if (!paging.reading) break; // the window still holds enough (messages left here): no read-back to wait for
    await new Promise<void>((resolve) => paging.whenLanded(resolve));
  }
  await Promise.all(settles);
  return { moved, skipped };
}

/** Publishes a claimed entry's message; true once confirmed and removed here, false when put back. */
function move(vhost: VirtualHost, queue: Queue, e: QueueEntry, target: Target): Promise<boolean> {
  return new Promise((resolve) => {
    let ok = true;
    const ticket: SyncTicket = {
      waiting: 1, // this publish's own hold, released once it returned
      synced(written = true) {
        if (!written) ok = false;
        if (--this.waiting > 0) return;
        if (ok) queue.settle(e);
        else if (!queue.isDeleted) {
          const { ready, expiry } = queue.internals();
          ready.reinstate(e);
          expiry.track(e);
          if (queue.consumerCount > 0) queue.scheduleDrain();
        }
        resolve(ok);
      },
    };
    const m = e.message;
    const copy = new Message(target.exchange.name, target.routingKeys[0] as string, m.rawProperties, m.body);
    try {
      const result = vhost.publish(target.exchange, copy, target.routingKeys, false, ticket);
      if (result.enqueued === 0 || result.refused > 0) ok = false;
    } catch {
      ok = false;
    }
    ticket.synced();
  });
}

function targetOf(message: Message, options: RedriveOptions, exchange: Exchange, toDeathQueue: boolean, vhost: VirtualHost, access: PrincipalAccess | undefined): Target | undefined {
  const deaths = message.header(X_DEATH);
  const latest = deaths?.type === 'array' && deaths.value[0]?.type === 'table' ? deaths.value[0].value : undefined;
  if (options.reason !== undefined && stringOf(latest?.['reason']) !== options.reason) return undefined;
  if (toDeathQueue) {
    const name = stringOf(latest?.['queue']);
    if (name === undefined || !vhost.queues.has(name)) return undefined;
    return { exchange, routingKeys: [name] };
  }
  const keys = options.routingKey !== undefined ? [options.routingKey] : originalKeys(latest, message);
  if (access !== undefined) {
    try {
      for (const key of keys) checkPublishTopic(access, exchange, key);
    } catch {
      return undefined;
    }
  }
  return { exchange, routingKeys: keys };
}

function originalKeys(death: FieldTable | undefined, message: Message): string[] {
  const keys = death?.['routing-keys'];
  const out: string[] = [];
  if (keys?.type === 'array') for (const k of keys.value) if (k.type === 'string') out.push(k.value);
  return out.length > 0 ? out : [message.routingKey];
}

function stringOf(v: FieldValue | undefined): string | undefined {
  return v?.type === 'string' ? v.value : undefined;
}
