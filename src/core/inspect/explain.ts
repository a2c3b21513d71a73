import { encodePropertiesBuffer } from '../../protocol/content-header.js';
import type { FieldTable } from '../../protocol/field-table.js';
import { DelayScheduler } from '../exchange/delayed.js';
import { createTableFor } from '../exchange/exchange-factory.js';
import { isExchange, type Destination, type Exchange } from '../exchange/exchange.js';
import { routingHeadersOf } from '../exchange/headers.js';
import { Message } from '../message.js';
import { basicPropertiesOf, isObject, PublishRequestError } from '../plain-properties.js';
import type { Queue } from '../queue/queue.js';
import type { VirtualHost } from '../vhost.js';

/** One binding a message would follow. The default exchange's implicit binding to each queue is listed too. */
export interface ExplainedBinding {
  readonly source: string;
  readonly destination: string;
  readonly destinationType: 'queue' | 'exchange';
  readonly routingKey: string;
  readonly arguments: FieldTable;
}

export interface ExplainResult {
  /** Would reach a queue (or be held by a delayed exchange): a real publish's `routed`. */
  readonly routed: boolean;
  /** The queues it would be enqueued on, each once, in the order routing reaches them. */
  readonly queues: readonly string[];
  readonly bindings: readonly ExplainedBinding[];
  /** Alternate exchanges it would be handed to (an exchange that matched nothing), in order. */
  readonly alternateExchanges: readonly string[];
  /** Delayed-message exchanges that would hold it (it has an x-delay): where it goes later is not shown. */
  readonly delayedBy: readonly string[];
}

/** What explain takes: the management publish body without the payload. */
export interface ExplainRequest {
  readonly routing_key: string;
  readonly headers?: Readonly<Record<string, unknown>>;
  readonly properties?: Readonly<Record<string, unknown>>;
}

/**
 * The message a publish of this request would route: its properties (headers from `headers`, else
 * from `properties.headers`) encoded as basic.publish carries them, and its routing keys with the
 * CC and BCC headers' keys added. Throws PublishRequestError for what a publish would refuse.
 */
export function explainMessage(exchange: string, request: ExplainRequest): { message: Message; routingKeys: string[] } {
  const properties = isObject(request.properties) ? { ...request.properties } : {};
  if (request.headers !== undefined) properties['headers'] = request.headers;
  const props = basicPropertiesOf(properties);
  const keys = [request.routing_key];
  for (const name of ['CC', 'BCC']) {
    const v = props.headers?.[name];
    if (v === undefined) continue;
    if (v.type !== 'array') throw new PublishRequestError(`PRECONDITION_FAILED - invalid message: {unacceptable_type_in_header,"${name}"}`);
    for (const item of v.value) if (item.type === 'string') keys.push(item.value);
  }
  return { message: new Message(exchange, request.routing_key, encodePropertiesBuffer(props), Buffer.alloc(0)), routingKeys: keys };
}

/**
 * Where a message published to `exchange` would go, without publishing it or touching any counter,
 * mark or delay: the walk of Router.route (core/router.ts) step for step (the default exchange by
 * queue name, each exchange's own table for the matching, exchange-to-exchange bindings followed
 * once per exchange, the alternate exchange of an exchange that matched nothing, a delayed
 * exchange holding a message with an x-delay), with its own visited set instead of routeMark.
 * test/property/explain-routing checks it lands where a real publish does. Which bindings matched
 * is found by routing through a one-binding table of the exchange's type per binding to a matched
 * destination, so the type's own matching decides that too. Direct reply-to queues are not shown.
 */
export function explainRoute(vhost: VirtualHost, exchange: Exchange, message: Message, routingKeys: readonly string[]): ExplainResult {
  const queues: Queue[] = [];
  const bindings: ExplainedBinding[] = [];
  const alternateExchanges: string[] = [];
  const delayedBy: string[] = [];
  const seen = new Set<Destination>([exchange]);
  const worklist: Exchange[] = [exchange];
  for (let w = 0; w < worklist.length; w++) {
    const x = worklist[w] as Exchange;
    const matched: Destination[] = [];
    if (x.isDefault) {
      for (const key of routingKeys) {
        const q = vhost.queues.get(key);
        if (q === undefined) continue;
        matched.push(q);
        bindings.push({ source: '', destination: q.name, destinationType: 'queue', routingKey: key, arguments: {} });
      }
    } else {
      if (x.delayed !== undefined && DelayScheduler.delayOf(message) > 0) {
        delayedBy.push(x.name);
        continue;
      }
      const headers = x.routesByHeaders ? routingHeadersOf(x.table, message) : undefined;
      for (const key of routingKeys) x.table.route(key, headers, matched);
      if (matched.length > 0) bindings.push(...matchingBindings(vhost, x, message, routingKeys, new Set(matched)));
    }
    if (matched.length === 0 && x.alternateExchange !== undefined) {
      const ae = vhost.exchanges.get(x.alternateExchange);
      if (ae !== undefined && !seen.has(ae)) {
        seen.add(ae);
        worklist.push(ae);
        alternateExchanges.push(ae.name);
      }
      continue;
    }
    for (const d of matched) {
      if (seen.has(d)) continue;
      seen.add(d);
      if (isExchange(d)) worklist.push(d);
      else if (!d.isDeleted) queues.push(d);
    }
  }
  return {
    routed: queues.length + delayedBy.length > 0,
    queues: queues.map((q) => q.name),
    bindings,
    alternateExchanges,
    delayedBy,
  };
}

function matchingBindings(vhost: VirtualHost, x: Exchange, message: Message, routingKeys: readonly string[], matched: ReadonlySet<Destination>): ExplainedBinding[] {
  const out: ExplainedBinding[] = [];
  const hits: Destination[] = [];
  for (const b of x.table.bindings()) {
    if (!matched.has(b.destination)) continue;
    const one = createTableFor<Destination>(x.type, x.options.arguments, x.name, vhost.name);
    one.bind(b.destination, b.routingKey, b.args);
    const headers = x.routesByHeaders ? routingHeadersOf(one, message) : undefined;
    for (const key of routingKeys) one.route(key, headers, hits);
    if (hits.length === 0) continue;
    while (hits.length > 0) hits.pop();
    const d = b.destination;
    out.push({ source: x.name, destination: d.name, destinationType: isExchange(d) ? 'exchange' : 'queue', routingKey: b.routingKey, arguments: b.args });
  }
  return out;
}
