import { brokerPrincipal, connectionPrincipal, type Principal } from '../core/principal.js';
import type { Queue } from '../core/queue/queue.js';
import { tableFromText } from '../core/replication.js';
import type { VirtualHost } from '../core/vhost.js';
import type { BindingRecord, ExchangeRecord, QueueRecord, StoredRecord } from './records.js';

/**
 * Makes a vhost's tables say what one record of the metadata bucket says: the step every node runs
 * for every change another node made, so that each routes locally from the same tables. It goes
 * through the vhost's own declare/delete/bind calls (and so through the same checks); the caller
 * mutes replication meanwhile. Returns false when a binding's ends are not known here yet (the
 * caller keeps it and tries again after the next change).
 */
export function applyRecord(vhost: VirtualHost, r: StoredRecord, self: string): boolean {
  switch (r.kind) {
    case 'exchange':
      if (r.deleted === true) vhost.deleteExchange(r.name, false);
      else applyExchange(vhost, r);
      return true;
    case 'queue':
      if (r.deleted === true) dropQueue(vhost, r.name);
      else applyQueue(vhost, r, self);
      return true;
    case 'binding':
      return r.deleted === true ? unbind(vhost, r) : bind(vhost, r);
  }
}

/** The exclusive owner of another node's exclusive queue: no local connection is it. */
function remoteOwner(vhost: string, node: string): Principal {
  return connectionPrincipal('', vhost, `cluster:${node}`);
}

function ownerOf(vhost: VirtualHost, q: Queue | undefined): Principal {
  return q?.exclusiveOwner ?? brokerPrincipal(vhost.name);
}

export function exchangeRequest(r: ExchangeRecord) {
  return { name: r.name, type: r.type, passive: false, durable: r.durable, autoDelete: r.autoDelete, internal: r.internal, arguments: tableFromText(r.arguments) };
}

/** Declared as recorded; a local exchange that differs is replaced (the bucket is the truth). */
function applyExchange(vhost: VirtualHost, r: ExchangeRecord): void {
  const request = exchangeRequest(r);
  if (vhost.exchanges.has(r.name)) {
    try {
      vhost.declareExchange(request);
      return; // equivalent: nothing to do
    } catch {
      vhost.deleteExchange(r.name, false);
    }
  }
  vhost.declareExchange(request);
}

export function queueRequest(r: QueueRecord, self: string) {
  const ownerNode = r.owner === self ? undefined : r.owner;
  return {
    request: { name: r.name, passive: false, durable: r.durable, exclusive: r.exclusive, autoDelete: r.autoDelete, arguments: tableFromText(r.arguments), serverNamed: true, ownerNode },
    owner: r.exclusive && ownerNode !== undefined ? remoteOwner(r.vhost, ownerNode) : brokerPrincipal(r.vhost),
  };
}

/**
 * Another node's queue becomes a stub here (known, listed, bindable; never routed to or consumed).
 * A record naming this node as owner is not re-created: the queue is ours and we have it or lost it.
 */
function applyQueue(vhost: VirtualHost, r: QueueRecord, self: string): void {
  if (r.owner === self) return;
  const existing = vhost.queues.get(r.name);
  if (existing !== undefined) {
    if (existing.options.ownerNode === r.owner && sameQueueShape(existing, r)) return;
    if (existing.options.ownerNode === undefined && existing.messageCount > 0) {
      throw new Error(`queue '${r.name}' in vhost '${vhost.name}' is declared on node '${r.owner}' too; kept the local one (it holds messages)`);
    }
    dropQueue(vhost, r.name);
  }
  const { request, owner } = queueRequest(r, self);
  vhost.declareQueue(request, owner);
}

function sameQueueShape(q: Queue, r: QueueRecord): boolean {
  const o = q.options;
  return o.durable === (r.durable && !r.exclusive) && o.exclusive === r.exclusive && o.autoDelete === r.autoDelete;
}

function dropQueue(vhost: VirtualHost, name: string): void {
  const q = vhost.queues.get(name);
  if (q !== undefined) vhost.deleteQueue(name, ownerOf(vhost, q), false, false);
}

function bind(vhost: VirtualHost, r: BindingRecord): boolean {
  if (!vhost.exchanges.has(r.source)) return false;
  const args = tableFromText(r.arguments);
  if (r.destinationKind === 'exchange') {
    if (!vhost.exchanges.has(r.destination)) return false;
    vhost.bindExchange(r.destination, r.source, r.routingKey, args);
    return true;
  }
  const q = vhost.queues.get(r.destination);
  if (q === undefined) return false;
  vhost.bindQueue(r.destination, r.source, r.routingKey, args, ownerOf(vhost, q));
  return true;
}

function unbind(vhost: VirtualHost, r: BindingRecord): boolean {
  const args = tableFromText(r.arguments);
  if (r.destinationKind === 'exchange') vhost.unbindExchange(r.destination, r.source, r.routingKey, args);
  else vhost.unbindQueue(r.destination, r.source, r.routingKey, args, ownerOf(vhost, vhost.queues.get(r.destination)));
  return true;
}
