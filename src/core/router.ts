import type { Clock } from './clock.js';
import { DelayScheduler } from './exchange/delayed.js';
import { isExchange, type Destination, type Exchange } from './exchange/exchange.js';
import { routingHeadersOf } from './exchange/headers.js';
import type { Message } from './message.js';
import { PublishResult } from './publish.js';
import { deadLetterCopy, isDeadLetterCycle, type DeathReason } from './queue/dead-letter.js';
import type { Queue } from './queue/queue.js';
import type { SyncTicket } from './persistence.js';
import type { RemoteForwarder } from './replication.js';
import { PropertyFlag } from '../protocol/content-header.js';
import { invalidCopy } from './schema-reject.js';
import { SchemaRejects, type RejectOutcome } from './exchange/schema-rejects.js';

/**
 * The one publish path of a vhost (client publishes, delayed releases, dead-lettering): routing
 * through the exchange graph, then each queue's enqueue, which applies the TTL and may refuse.
 * Scratch arrays are reused across publishes and emptied with pop(): `length = 0` drops V8's
 * backing store and costs an allocation per publish.
 */
export class Router {
  private epoch = 0;
  private readonly worklist: Exchange[] = [];
  private readonly scratch: Destination[] = [];
  /**
   * Target lists and results by nesting depth: an enqueue can dead-letter (overflow, TTL 0), which
   * publishes again while the outer publish still walks its targets. Grown once, then reused.
   */
  private readonly targetsByDepth: Queue[][] = [];
  private readonly resultsByDepth: PublishResult[] = [];
  /** Stubs of other nodes' queues reached, by nesting depth (cluster only). */
  private readonly remoteByDepth: Queue[][] = [];
  private depth = 0;
  private readonly exchanges: ReadonlyMap<string, Exchange>;
  private readonly queues: ReadonlyMap<string, Queue>;
  private readonly replyQueues: ReadonlyMap<string, Queue>;
  private readonly clock: Clock;
  /** Set by the cluster layer: where messages routed to another node's queue go. */
  forwarder: RemoteForwarder | undefined = undefined;
  /** Publishing to an x-invalid-exchange: that publish is not checked again (no loop through it). */
  private unchecked = false;

  constructor(exchanges: ReadonlyMap<string, Exchange>, queues: ReadonlyMap<string, Queue>, replyQueues: ReadonlyMap<string, Queue>, clock: Clock) {
    this.exchanges = exchanges;
    this.queues = queues;
    this.replyQueues = replyQueues;
    this.clock = clock;
  }

  /**
   * Publishes a message: routes it, enqueues it on every queue it reaches (each applies the lower
   * of its x-message-ttl and the message's expiration, and may refuse it), and says whether it
   * must be returned. The ticket, when given, is held by every disk write of the message (durable
   * queues, a durable delayed exchange) until synced. releasedFrom: a delayed exchange releasing
   * the message (it is not held again); skip: queues this message must not enter. The result is
   * reused: read it before publishing again. Every publish of the vhost passes here once: the
   * place for per-exchange counters (in, out, returned, unroutable).
   */
  publish(
    exchange: Exchange,
    message: Message,
    routingKeys: readonly string[],
    mandatory: boolean,
    ticket: SyncTicket | undefined,
    releasedFrom?: Exchange,
    skip?: (queue: Queue) => boolean,
  ): PublishResult {
    const depth = this.depth++;
    const targets = this.targetsByDepth[depth] ?? (this.targetsByDepth[depth] = []);
    const result = this.resultsByDepth[depth] ?? (this.resultsByDepth[depth] = new PublishResult());
    const remote = this.remoteByDepth[depth] ?? (this.remoteByDepth[depth] = []);
    result.schemaError = undefined;
    result.unavailable = 0;
    try {
      if (exchange.schema !== undefined && releasedFrom === undefined && !this.unchecked && !this.passesSchema(exchange, message, routingKeys, mandatory, ticket)) {
        result.schemaError = exchange.schema.reason;
        result.enqueued = result.refused = result.held = 0;
        result.mustReturn = mandatory;
        return result;
      }
      const held = this.route(exchange, message, routingKeys, targets, remote, releasedFrom, ticket);
      // INVALID_TTL was refused when published (checkExpiration); one held from an older data dir is ignored.
      const ttl = message.ttl >= 0 ? message.ttl : undefined;
      const n = targets.length;
      let enqueued = 0;
      let refused = 0;
      for (let i = 0; i < n; i++) {
        const queue = targets[i] as Queue;
        if (skip !== undefined && skip(queue)) continue;
        if (queue.enqueue(message, ttl, ticket)) enqueued++;
        else refused++;
      }
      let reached = n;
      if (remote.length > 0) {
        const sent = this.forwardRemote(remote, message, ticket, skip, result);
        enqueued += sent;
        reached += sent;
      }
      result.enqueued = enqueued;
      result.refused = refused;
      result.held = held;
      result.mustReturn = mandatory && reached === 0 && held === 0;
      return result;
    } finally {
      clear(targets);
      if (remote.length > 0) clear(remote);
      // A throw inside route() must not leave its scratch to every later publish of the vhost.
      if (this.worklist.length > 0) clear(this.worklist);
      if (this.scratch.length > 0) clear(this.scratch);
      this.depth--;
    }
  }

  /** Hands stubs' messages to the cluster's forwarder; returns how many it took (result.unavailable: how many owners were unreachable). */
  private forwardRemote(remote: readonly Queue[], message: Message, ticket: SyncTicket | undefined, skip: ((queue: Queue) => boolean) | undefined, result: PublishResult): number {
    const forwarder = this.forwarder as RemoteForwarder;
    let sent = 0;
    for (const queue of remote) {
      if (skip !== undefined && skip(queue)) continue;
      if (forwarder.forward(queue, message, ticket)) sent++;
      else result.unavailable++;
    }
    return sent;
  }

  /**
   * The x-schema check, before routing (a delayed release was checked when published). A failure
   * neither returned (mandatory) nor nacked (confirm mode) goes to the x-invalid-exchange, else is dropped.
   */
  private passesSchema(exchange: Exchange, message: Message, routingKeys: readonly string[], mandatory: boolean, ticket: SyncTicket | undefined): boolean {
    const schema = exchange.schema as NonNullable<Exchange['schema']>;
    if (!schema.applies(message.shortProperty(PropertyFlag.contentType))) return true;
    const validate = schema.select(message.routingKey);
    if (validate === undefined) return true; // x-schema-by-key alone, and no pattern matched
    const verdict = schema.check(message.body, validate);
    const counters = exchange.counters;
    if (verdict === 'valid') {
      counters.schema_valid++;
      return true;
    }
    if (verdict === 'invalid') counters.schema_invalid++;
    else counters.schema_unparseable++;
    const reason = schema.reason;
    const target = mandatory || ticket !== undefined || exchange.invalidExchange === undefined ? undefined : this.exchanges.get(exchange.invalidExchange);
    const outcome: RejectOutcome = mandatory ? 'returned' : ticket !== undefined ? 'nacked' : target !== undefined ? 'invalid-exchange' : 'dropped';
    (exchange.schemaRejects ??= new SchemaRejects()).add(this.clock.now(), message.routingKey, verdict, reason, outcome, message.body);
    if (target === undefined) {
      if (outcome === 'dropped') counters.schema_dropped++;
      return false;
    }
    this.unchecked = true;
    try {
      this.publish(target, invalidCopy(message, reason, target.name), routingKeys, false, undefined);
    } finally {
      this.unchecked = false;
    }
    schema.reason = reason; // the nested publish may have checked another exchange with this schema
    return false;
  }

  /** A delayed message is due: published from its delayed exchange, now without the delay. */
  releaseDelayed(exchange: Exchange, message: Message, routingKeys: readonly string[]): void {
    if (this.exchanges.get(exchange.name) !== exchange) return;
    this.publish(exchange, message, routingKeys, false, undefined, exchange);
  }

  /**
   * Republishes a message that left a queue (rejected, expired, maxlen, delivery_limit) through
   * the queue's dead-letter exchange; without one, or if it is missing, the message is dropped.
   */
  deadLetter(queue: Queue, message: Message, reason: DeathReason): void {
    const dlx = queue.args.deadLetterExchange;
    if (dlx === undefined) return;
    const exchange = this.exchanges.get(dlx);
    if (exchange === undefined) return;
    const copy = deadLetterCopy(message, queue.name, reason, dlx, queue.args.deadLetterRoutingKey, this.clock.now());
    this.publish(exchange, copy.message, copy.routingKeys, false, undefined, undefined, (target) => isDeadLetterCycle(reason, copy.deaths, target.name));
  }

  /**
   * Routes through the exchange graph into out, each queue once. Exchange-to-exchange paths are
   * followed once per exchange (cycles end); an exchange that routes nowhere hands the message
   * to its alternate exchange, as RabbitMQ does per exchange. A delayed exchange holds messages
   * with an x-delay (except the one being released); returns how many were held.
   */
  private route(
    exchange: Exchange,
    message: Message,
    routingKeys: readonly string[],
    out: Queue[],
    remote: Queue[],
    released: Exchange | undefined,
    ticket: SyncTicket | undefined,
  ): number {
    let held = 0;
    const epoch = ++this.epoch;
    const worklist = this.worklist;
    const scratch = this.scratch;
    worklist.push(exchange);
    exchange.routeMark = epoch;
    for (let w = 0; w < worklist.length; w++) {
      const x = worklist[w] as Exchange;
      clear(scratch);
      if (x.isDefault) {
        for (const key of routingKeys) {
          const q = this.queues.get(key) ?? this.replyQueues.get(key);
          if (q !== undefined) scratch.push(q);
        }
      } else {
        if (x.delayed !== undefined && x !== released) {
          const delay = DelayScheduler.delayOf(message);
          if (delay > 0) {
            x.delayed.schedule(message, routingKeys, delay, ticket);
            held++;
            continue;
          }
        }
        const headers = x.routesByHeaders ? routingHeadersOf(x.table, message) : undefined;
        for (const key of routingKeys) x.table.route(key, headers, scratch);
      }
      if (scratch.length === 0 && x.alternateExchange !== undefined) {
        const ae = this.exchanges.get(x.alternateExchange);
        if (ae !== undefined && ae.routeMark !== epoch) {
          ae.routeMark = epoch;
          worklist.push(ae);
        }
        continue;
      }
      for (const d of scratch) {
        if (d.routeMark === epoch) continue;
        d.routeMark = epoch;
        if (isExchange(d)) worklist.push(d);
        else if (!d.isDeleted) out.push(d);
        else if (d.options.ownerNode !== undefined && this.forwarder !== undefined) remote.push(d);
      }
    }
    clear(scratch);
    clear(worklist);
    return held;
  }
}

function clear(a: unknown[]): void {
  while (a.length > 0) a.pop();
}
