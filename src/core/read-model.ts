import { amqpError } from '../errors/index.js';
import { propertiesKey } from './binding-key.js';
import { Exchange } from './exchange/exchange.js';
import type { Queue } from './queue/queue.js';
import { plainTable } from './plain-values.js';
import { fillQueueDepths, sumQueueDepths, type QueueDepths, type QueueDepthSums } from './queue-depths.js';
import { brokerPrincipal } from './principal.js';
import type { Registry } from './registry.js';
import { depthRate, type StatsReader } from './stats/snapshot.js';
import type { BindingSnapshot, ChannelSnapshot, ConnectionSnapshot, ConsumerSnapshot, ExchangeSchemaSnapshot, ExchangeSnapshot, QueueSnapshot, ResourceRef, SchemaStats } from './snapshots.js';
import type { VirtualHost } from './vhost.js';


/** RabbitMQ's text when the management UI or API closes a connection without giving a reason. */
export const DEFAULT_CLOSE_REASON = 'Closed via management plugin';

export interface DeleteQueueOptions {
  /** Refuse (406) while the queue has consumers. */
  readonly ifUnused?: boolean;
  /** Refuse (406) while the queue holds messages. */
  readonly ifEmpty?: boolean;
}

/**
 * The broker seen from outside: typed, frozen snapshots of connections, channels, consumers,
 * queues and exchanges (core/snapshots.ts), and the operator's commands on them. What the HTTP API,
 * metrics and tests read; none of it hands out a live object. Commands throw the broker's coded
 * errors (AmqpError: WARREN_NOT_FOUND for a missing vhost, queue, exchange or connection), so the
 * HTTP layer maps them as it maps any other.
 *
 * An operator acts on a queue whatever connection owns it: purge and delete also reach exclusive
 * queues, as RabbitMQ's management API does.
 */
export class ReadModel {
  private readonly registry: Registry;
  private readonly vhostMap: ReadonlyMap<string, VirtualHost>;
  private readonly stats: StatsReader;

  /** `vhosts` is the broker's live map: vhosts added or removed later are seen by the next call. */
  constructor(registry: Registry, vhosts: ReadonlyMap<string, VirtualHost>, stats: StatsReader) {
    this.registry = registry;
    this.vhostMap = vhosts;
    this.stats = stats;
  }

  get node(): string {
    return this.registry.node;
  }

  vhostNames(): readonly string[] {
    return Object.freeze([...this.vhostMap.keys()]);
  }

  // ---- connections, channels, consumers -----------------------------------------------------

  connections(): readonly ConnectionSnapshot[] {
    const out: ConnectionSnapshot[] = [];
    for (const c of this.registry.connections()) out.push(c.snapshot());
    return Object.freeze(out);
  }

  /** By node-qualified id or by RabbitMQ-style name. */
  connection(idOrName: string): ConnectionSnapshot | undefined {
    return this.registry.find(idOrName)?.snapshot();
  }

  /** Every channel, or those of one connection (by id or name). */
  channels(connection?: string): readonly ChannelSnapshot[] {
    const out: ChannelSnapshot[] = [];
    if (connection === undefined) for (const c of this.registry.connections()) c.channels(out);
    else this.registry.find(connection)?.channels(out);
    return Object.freeze(out);
  }

  /** Every consumer, or those on queues of one vhost. */
  consumers(vhost?: string): readonly ConsumerSnapshot[] {
    const out: ConsumerSnapshot[] = [];
    for (const c of this.registry.connections()) c.consumers(out);
    return Object.freeze(vhost === undefined ? out : out.filter((c) => c.queue.vhost === vhost));
  }

  // ---- queues and exchanges -----------------------------------------------------------------

  /** Every queue, or those of one vhost (direct reply-to queues are not listed, as in RabbitMQ). */
  queues(vhost?: string): readonly QueueSnapshot[] {
    const out: QueueSnapshot[] = [];
    for (const v of this.vhostsOf(vhost)) for (const q of v.queues.values()) out.push(this.queueSnapshot(q));
    return Object.freeze(out);
  }

  queue(vhost: string, name: string): QueueSnapshot | undefined {
    const q = this.vhostMap.get(vhost)?.queues.get(name);
    return q === undefined ? undefined : this.queueSnapshot(q);
  }

  /**
   * Each queue's depths and consumer count into `into`'s columns (of the vhosts in `only`, when given), with no
   * snapshot object or call per queue: what a Prometheus scrape of 100,000 queues reads (core/queue-depths.ts).
   */
  queueDepths(into: QueueDepths, only?: ReadonlySet<string>): QueueDepths {
    return fillQueueDepths(into, only === undefined ? this.vhostMap.values() : [...this.vhostMap.values()].filter((v) => only.has(v.name)));
  }

  /** The same figures summed over every queue (/metrics). */
  queueDepthSums(): QueueDepthSums {
    return sumQueueDepths(this.vhostMap.values());
  }

  /** Each x-schema exchange's schema counters, with no snapshot per exchange (Prometheus's warren_exchange_schema_messages_total). */
  eachSchemaStats(visit: (vhost: string, exchange: string, stats: SchemaStats) => void): void {
    for (const v of this.vhostsOf(undefined)) for (const x of v.exchanges.values()) if (x.schema !== undefined) visit(v.name, x.name, schemaStatsOf(x));
  }

  /** Every queue's vhost and name, without counting anything: what a paged listing sorts and filters. */
  queueKeys(vhost?: string): readonly ResourceRef[] {
    const out: ResourceRef[] = [];
    for (const v of this.vhostsOf(vhost)) for (const name of v.queues.keys()) out.push({ vhost: v.name, name });
    return out;
  }

  /** Snapshots of the named queues; gone ones are left out. */
  queuesOf(keys: readonly ResourceRef[]): readonly QueueSnapshot[] {
    const out: QueueSnapshot[] = [];
    for (const k of keys) {
      const q = this.vhostMap.get(k.vhost)?.queues.get(k.name);
      if (q !== undefined) out.push(this.queueSnapshot(q));
    }
    return Object.freeze(out);
  }

  /**
   * Every binding, or those of one vhost: the default exchange's implicit binding to each queue first
   * (source '', routing key = queue name, as RabbitMQ lists them), then each exchange's.
   */
  bindings(vhost?: string): readonly BindingSnapshot[] {
    const out: BindingSnapshot[] = [];
    for (const v of this.vhostsOf(vhost)) {
      for (const name of v.queues.keys()) {
        out.push(Object.freeze({ vhost: v.name, source: '', destination: name, destinationType: 'queue', routingKey: name, arguments: Object.freeze({}), propertiesKey: propertiesKey(name, {}) }));
      }
      for (const x of v.exchanges.values()) {
        if (x.name === '') continue;
        for (const b of x.table.bindings()) {
          const d = b.destination;
          const destinationType = d instanceof Exchange ? 'exchange' : 'queue';
          out.push(Object.freeze({ vhost: v.name, source: x.name, destination: d.name, destinationType, routingKey: b.routingKey, arguments: plainTable(b.args), propertiesKey: propertiesKey(b.routingKey, b.args) }));
        }
      }
    }
    return Object.freeze(out);
  }

  exchanges(vhost?: string): readonly ExchangeSnapshot[] {
    const out: ExchangeSnapshot[] = [];
    for (const v of this.vhostsOf(vhost)) for (const x of v.exchanges.values()) out.push(exchangeSnapshot(v.name, x, this.stats));
    return Object.freeze(out);
  }

  /** An x-schema exchange's schema, counters and last invalid messages; undefined without x-schema. */
  exchangeSchema(vhost: string, name: string): ExchangeSchemaSnapshot | undefined {
    const x = this.vhostMap.get(vhost)?.exchanges.get(name);
    const s = x?.schema;
    if (x === undefined || s === undefined) return undefined;
    const parsed = (text: string | undefined): unknown => (text === undefined ? undefined : (JSON.parse(text) as unknown));
    return {
      vhost, exchange: name, source: s.source, schema: parsed(s.schemaText), registered: s.names,
      byKey: s.byKey.map((k) => ({ pattern: k.pattern, source: k.source, schema: parsed(k.text) })),
      contentTypes: s.contentTypes, maxBytes: s.maxBytes, maxDepth: s.maxDepth, stats: schemaStatsOf(x),
      invalidMessages: (x.schemaRejects?.list() ?? []).map((r) => ({ ...r, bodyStart: r.bodyStart.toString('utf8') })),
    };
  }

  exchange(vhost: string, name: string): ExchangeSnapshot | undefined {
    const x = this.vhostMap.get(vhost)?.exchanges.get(name);
    return x === undefined ? undefined : exchangeSnapshot(vhost, x, this.stats);
  }

  // ---- commands -----------------------------------------------------------------------------

  /**
   * Sends connection.close 320 `CONNECTION_FORCED - <reason>` (RabbitMQ's default reason is
   * DEFAULT_CLOSE_REASON); the client's channels close with it. A connection still in its handshake
   * is dropped without a close.
   */
  closeConnection(idOrName: string, reason: string = DEFAULT_CLOSE_REASON): void {
    const c = this.registry.find(idOrName);
    if (c === undefined) throw amqpError('WARREN_NOT_FOUND', `no connection '${idOrName}'`);
    c.close(reason);
  }

  /** Removes the ready messages; returns how many (unacknowledged ones stay, as with queue.purge). */
  purgeQueue(vhost: string, name: string): number {
    return this.liveQueue(vhost, name).purge();
  }

  /** Deletes the queue, cancelling its consumers (basic.cancel to clients that asked); returns its message count. */
  deleteQueue(vhost: string, name: string, options: DeleteQueueOptions = {}): number {
    const queue = this.liveQueue(vhost, name);
    const owner = queue.exclusiveOwner ?? brokerPrincipal(vhost); // the operator acts as the owner of an exclusive queue
    return this.vhost(vhost).deleteQueue(name, owner, options.ifUnused === true, options.ifEmpty === true);
  }

  /** Refuses the default exchange and amq.* (403), as exchange.delete does. */
  deleteExchange(vhost: string, name: string, options: { readonly ifUnused?: boolean } = {}): void {
    const v = this.vhost(vhost);
    if (name !== '' && !name.startsWith('amq.') && !v.exchanges.has(name)) {
      throw amqpError('WARREN_NOT_FOUND', `no exchange '${name}' in vhost '${vhost}'`);
    }
    v.deleteExchange(name, options.ifUnused === true);
  }

  // ---- internals ----------------------------------------------------------------------------

  private vhost(name: string): VirtualHost {
    const v = this.vhostMap.get(name);
    if (v === undefined) throw amqpError('WARREN_NOT_FOUND', `no vhost '${name}'`);
    return v;
  }

  private vhostsOf(name: string | undefined): Iterable<VirtualHost> {
    if (name === undefined) return this.vhostMap.values();
    const v = this.vhostMap.get(name);
    return v === undefined ? [] : [v];
  }

  private liveQueue(vhost: string, name: string): Queue {
    const q = this.vhost(vhost).queues.get(name);
    if (q === undefined) throw amqpError('WARREN_NOT_FOUND', `no queue '${name}' in vhost '${vhost}'`);
    return q;
  }

  /**
   * Unacknowledged: the queue's delivered, unsettled entries (its LocalQueueRef's count, kept as it
   * delivers and settles), whichever channel or node holds them.
   */
  private queueSnapshot(q: Queue): QueueSnapshot {
    const ready = q.messageCount;
    const unackedCount = q.ref.outstandingCount;
    const consumers = q.consumers; // in registration order: with single active consumer, the first is active
    return Object.freeze({
      name: q.name,
      vhost: q.vhost,
      node: this.registry.node,
      type: 'classic',
      state: 'running',
      durable: q.options.durable,
      autoDelete: q.options.autoDelete,
      exclusive: q.options.exclusive,
      owner: this.registry.ofOwner(q.exclusiveOwner)?.ref(),
      arguments: plainTable(q.options.arguments),
      policy: q.policy.policy,
      operatorPolicy: q.policy.operatorPolicy,
      effectivePolicyDefinition: q.policy.definition,
      messages: ready + unackedCount,
      messagesReady: ready,
      messagesUnacknowledged: unackedCount,
      messagesRate: depthRate(q.counters.sample, 0),
      messagesReadyRate: depthRate(q.counters.sample, 1),
      messagesUnacknowledgedRate: depthRate(q.counters.sample, 2),
      messageBytesReady: q.messageBytes,
      consumerCount: consumers.length,
      exclusiveConsumerTag: consumers.find((c) => c.exclusive)?.tag,
      singleActiveConsumerTag: q.args.singleActiveConsumer ? consumers[0]?.tag : undefined,
      messageStats: this.stats.queue(q.vhost, q.name),
    } satisfies QueueSnapshot);
  }
}

function exchangeSnapshot(vhost: string, x: Exchange, stats: StatsReader): ExchangeSnapshot {
  return Object.freeze({
    name: x.name,
    vhost,
    type: x.type,
    durable: x.options.durable,
    autoDelete: x.options.autoDelete,
    internal: x.options.internal,
    builtin: x.builtin,
    arguments: plainTable(x.options.arguments),
    policy: x.policy.policy,
    operatorPolicy: x.policy.operatorPolicy,
    effectivePolicyDefinition: x.policy.definition,
    messagesDelayed: x.delayed?.size,
    messageStats: stats.exchange(vhost, x.name),
    schemaStats: x.schema === undefined ? undefined : schemaStatsOf(x),
  } satisfies ExchangeSnapshot);
}

function schemaStatsOf(x: Exchange): SchemaStats {
  const c = x.counters;
  return { valid: c.schema_valid, invalid: c.schema_invalid, unparseable: c.schema_unparseable, dropped: c.schema_dropped };
}
