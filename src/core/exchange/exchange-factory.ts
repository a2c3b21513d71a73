import { amqpError } from '../../errors/index.js';
import type { FieldTable } from '../../protocol/field-table.js';
import { DELAYED_EXCHANGE_TYPE } from './delayed.js';
import { createRoutingTable, isBuiltinExchangeType, type RoutingTable } from './exchange-type.js';

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
