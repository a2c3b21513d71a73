import type { FieldTable } from '../../protocol/field-table.js';
import { Exchange, type Destination } from './exchange.js';
import { createRoutingTable } from './exchange-factory.js';

const EMPTY_TABLE: FieldTable = Object.freeze(Object.create(null) as FieldTable);

/** Every vhost's predeclared exchanges: the default exchange and the amq.* ones (durable, never deleted). */
export function addBuiltinExchanges(exchanges: Map<string, Exchange>): void {
  const builtin = (name: string, type: string): void => {
    const options = { durable: true, autoDelete: false, internal: false, arguments: EMPTY_TABLE };
    exchanges.set(name, new Exchange(name, type, options, createRoutingTable<Destination>(type === '' ? 'direct' : (type as 'direct')), true));
  };
  builtin('', 'direct');
  builtin('amq.direct', 'direct');
  builtin('amq.fanout', 'fanout');
  builtin('amq.topic', 'topic');
  builtin('amq.headers', 'headers');
  builtin('amq.match', 'headers');
}
