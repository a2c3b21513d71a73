import type { Msg } from '@nats-io/transport-node';
import { Message } from '../core/message.js';
import type { SyncTicket } from '../core/persistence.js';
import type { VirtualHost } from '../core/vhost.js';
import type { Logger } from '../util/logger.js';
import { decodeBatch, NOT_STORED, STORED, type ForwardRecord } from './forward-codec.js';

/**
 * The owner's side of forwarding: each message of a batch another node routed here is enqueued on
 * the named local queues (routing was done by the sender, from the replicated tables), and the batch
 * is answered once every persistent message on a durable queue is on disk: one byte per record,
 * STORED, or NOT_STORED when a queue refused it (reject-publish) or a write failed. A queue that is
 * gone meanwhile takes nothing, as a queue deleted while a publish is routed to it.
 */
export function storeForwarded(msg: Msg, vhosts: ReadonlyMap<string, VirtualHost>, logger: Logger): void {
  let records: ForwardRecord[];
  try {
    records = decodeBatch(msg.data);
  } catch (err) {
    logger.warn({ event: 'cluster.forward-bad-batch', err }, `a forwarded batch that does not decode: ${(err as Error).message}`);
    msg.respond(new Uint8Array(0)); // every record of it reads as NOT_STORED on the sender
    return;
  }
  const answer = new Uint8Array(records.length);
  let open = records.length + 1;
  const done = (): void => {
    if (--open === 0) msg.respond(answer);
  };
  for (let i = 0; i < records.length; i++) {
    const r = records[i] as ForwardRecord;
    let stored = true;
    const ticket: SyncTicket = {
      waiting: 1,
      synced: (ok = true) => {
        if (!ok) stored = false;
        if (--ticket.waiting > 0) return;
        answer[i] = stored ? STORED : NOT_STORED;
        done();
      },
    };
    try {
      if (!enqueue(vhosts.get(r.vhost), r, ticket)) stored = false;
    } catch (err) {
      stored = false;
      logger.error({ event: 'cluster.forward-enqueue-failed', vhost: r.vhost, err }, `a forwarded message was not enqueued: ${(err as Error).message}`);
    }
    ticket.synced();
  }
  done();
}

/** False when a queue refused the message, or its bytes do not decode. */
function enqueue(vhost: VirtualHost | undefined, r: ForwardRecord, ticket: SyncTicket): boolean {
  if (vhost === undefined) return true;
  const message = new Message(r.exchange, r.routingKey, r.properties, r.body, false);
  if (message.unreadable) return false;
  const ttl = message.ttl >= 0 ? message.ttl : undefined;
  let ok = true;
  for (const name of r.queues) {
    const queue = vhost.queues.get(name);
    if (queue === undefined || queue.isDeleted || queue.options.ownerNode !== undefined) continue;
    if (!queue.enqueue(message, ttl, ticket)) ok = false;
  }
  return ok;
}
