import type { Clock } from './clock.js';
import { DelayScheduler } from './exchange/delayed.js';
import { isExchange, type Destination, type Exchange } from './exchange/exchange.js';
import { routingHeadersOf } from './exchange/headers.js';
import type { Message } from './message.js';
import { deadLetterCopy, isDeadLetterCycle, type DeathReason } from './queue/dead-letter.js';
import type { Queue } from './queue/queue.js';
import type { SyncTicket } from './persistence.js';

/**
 * Routing through one vhost's exchange graph. Scratch arrays are reused across publishes and
 * emptied with pop(): `length = 0` drops V8's backing store and costs an allocation per publish.
 */
export class Router {
  private epoch = 0;
  private readonly worklist: Exchange[] = [];
  private readonly scratch: Destination[] = [];
  private readonly exchanges: ReadonlyMap<string, Exchange>;
  private readonly queues: ReadonlyMap<string, Queue>;
  private readonly replyQueues: ReadonlyMap<string, Queue>;
  private readonly clock: Clock;

  constructor(exchanges: ReadonlyMap<string, Exchange>, queues: ReadonlyMap<string, Queue>, replyQueues: ReadonlyMap<string, Queue>, clock: Clock) {
    this.exchanges = exchanges;
    this.queues = queues;
    this.replyQueues = replyQueues;
    this.clock = clock;
  }

  /**
   * Routes through the exchange graph into out, each queue once. Exchange-to-exchange paths are
   * followed once per exchange (cycles end); an exchange that routes nowhere hands the message
   * to its alternate exchange, as RabbitMQ does per exchange. A delayed exchange holds messages
   * with an x-delay (except the one being released); returns how many were held.
   */
  route(exchange: Exchange, message: Message, routingKeys: readonly string[], out: Queue[], released?: Exchange, ticket?: SyncTicket): number {
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
      }
    }
    clear(scratch);
    clear(worklist);
    return held;
  }

  /** A delayed message is due: route it from its delayed exchange, now without the delay. */
  releaseDelayed(exchange: Exchange, message: Message, routingKeys: readonly string[]): void {
    if (this.exchanges.get(exchange.name) !== exchange) return;
    const targets: Queue[] = [];
    this.route(exchange, message, routingKeys, targets, exchange);
    const ttl = message.expiration !== undefined && /^\d+$/.test(message.expiration) ? Number(message.expiration) : undefined;
    for (const target of targets) target.enqueue(message, ttl);
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
    const targets: Queue[] = [];
    this.route(exchange, copy.message, copy.routingKeys, targets);
    for (const target of targets) {
      if (!isDeadLetterCycle(reason, copy.deaths, target.name)) target.enqueue(copy.message, undefined);
    }
  }
}

function clear(a: unknown[]): void {
  while (a.length > 0) a.pop();
}
