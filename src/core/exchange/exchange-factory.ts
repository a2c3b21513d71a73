import { amqpError } from '../../errors/index.js';
import type { FieldTable } from '../../protocol/field-table.js';
import { DELAYED_EXCHANGE_TYPE } from './delayed.js';
import { DirectRoutingTable } from './direct.js';
import { isBuiltinExchangeType, type BuiltinExchangeType, type RoutingTable } from './exchange-type.js';
import { FanoutRoutingTable } from './fanout.js';
import { HeadersRoutingTable } from './headers.js';
import { TopicRoutingTable } from './topic.js';

// The one module that knows every concrete table: exchange-type.ts stays interfaces only, so the
// table modules can import it without a cycle.

/**
 * One constructor per type. A wrapping type (the delayed-message exchange routes with the table of its
 * `x-delayed-type`) picks its inner table from here with createRoutingTable.
 */
export const ROUTING_TABLE_FACTORIES: { readonly [T in BuiltinExchangeType]: <D>() => RoutingTable<D> } = {
  direct: () => new DirectRoutingTable(),
  fanout: () => new FanoutRoutingTable(),
  topic: () => new TopicRoutingTable(),
  headers: () => new HeadersRoutingTable(),
};

export function createRoutingTable<D>(type: BuiltinExchangeType): RoutingTable<D> {
  return ROUTING_TABLE_FACTORIES[type]<D>();
}

export function isKnownExchangeType(type: string): boolean {
  return isBuiltinExchangeType(type) || type === DELAYED_EXCHANGE_TYPE;
}

/**
 * The routing table for a declared type. `x-delayed-message` routes like its `x-delayed-type`
 * (RabbitMQ's delayed-message plugin contract); the vhost adds the delay scheduler.
 */
export function createTableFor<D>(type: string, args: FieldTable, name: string, vhost: string): RoutingTable<D> {
  if (isBuiltinExchangeType(type)) return createRoutingTable<D>(type);
  const inner = args['x-delayed-type'];
  if (inner === undefined || inner.type !== 'string' || !isBuiltinExchangeType(inner.value)) {
    throw amqpError(
      'WARREN_ARGUMENT_INVALID',
      `invalid arg 'x-delayed-type' for exchange '${name}' in vhost '${vhost}': must be one of direct, fanout, topic, headers`,
    );
  }
  return createRoutingTable<D>(inner.value);
}

export { DELAYED_EXCHANGE_TYPE };
