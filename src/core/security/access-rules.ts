import type { FieldTable } from '../../protocol/field-table.js';
import { isKnownExchangeType } from '../exchange/exchange-factory.js';
import { stripCrLf } from '../vhost-names.js';
import type { PrincipalAccess } from './access.js';

/**
 * Which operation needs which permission on which resource: RabbitMQ's access-control table,
 * checked in rabbit_channel's order relative to the vhost's own checks (so a client sees the same
 * error first). Each function runs before the vhost operation; where RabbitMQ checks something
 * else first (an unknown exchange type, the default exchange, a reserved amq. name), the check is
 * left to the vhost, which refuses it.
 *
 * | operation                                  | configure | write       | read          |
 * | exchange.declare, exchange.delete          | exchange  |             |               |
 * |   ... with alternate-exchange (new only)   | exchange  | the AE      | exchange      |
 * | queue.declare, queue.delete                | queue     |             |               |
 * |   ... with x-dead-letter-exchange (new)    | queue     | the DLX     | queue         |
 * | queue.bind/unbind                          |           | queue       | exchange      |
 * | exchange.bind/unbind                       |           | destination | source        |
 * | basic.publish                              |           | exchange    |               |
 * | basic.get, basic.consume, queue.purge      |           |             | queue         |
 *
 * Passive declares need any one of the three on the resource, checked before the name is looked
 * up (so the answer is 403 whether or not it exists), as RabbitMQ 4.2.7 and 4.3.1 do
 * (rabbitmq-server#16085; 3.10 and 4.x before 4.2.6 checked nothing, 4.2.6 and 4.3.0 configure).
 */

/** What the rules read of a vhost: whether a name exists, and an exchange's type. */
export interface VhostView {
  readonly name: string;
  readonly exchanges: ReadonlyMap<string, { readonly type: string }>;
  readonly queues: ReadonlyMap<string, unknown>;
}

export interface ExchangeDeclareCheck {
  readonly name: string;
  readonly type: string;
  readonly passive: boolean;
  readonly arguments: FieldTable;
}

export function checkExchangeDeclare(access: PrincipalAccess, vhost: VhostView, req: ExchangeDeclareCheck): void {
  const name = stripCrLf(req.name);
  if (name === '') return; // the vhost's "operation not permitted on the default exchange" first
  if (req.passive) return access.checkAny('exchange', name); // the type is not looked at
  if (!isKnownExchangeType(req.type)) return;
  access.check('configure', 'exchange', name);
  if (vhost.exchanges.has(name) || name.startsWith('amq.')) return;
  const ae = Object.hasOwn(req.arguments, 'alternate-exchange') ? req.arguments['alternate-exchange'] : undefined;
  if (ae?.type !== 'string') return; // a wrong type is the vhost's 406, before any permission
  access.check('read', 'exchange', name);
  access.check('write', 'exchange', ae.value);
}

export function checkExchangeDelete(access: PrincipalAccess, name: string): void {
  name = stripCrLf(name);
  if (name === '' || name.startsWith('amq.')) return;
  access.check('configure', 'exchange', name);
}

export interface QueueDeclareCheck {
  /** The name to be declared (a server-generated one for an empty name: RabbitMQ checks that). */
  readonly name: string;
  readonly passive: boolean;
  readonly serverNamed: boolean;
  readonly arguments: FieldTable;
}

export function checkQueueDeclare(access: PrincipalAccess, vhost: VhostView, req: QueueDeclareCheck): void {
  const name = stripCrLf(req.name);
  if (req.passive) return access.checkAny('queue', name);
  if (name.startsWith('amq.') && !req.serverNamed) return;
  access.check('configure', 'queue', name);
  if (vhost.queues.has(name)) return;
  const dlx = Object.hasOwn(req.arguments, 'x-dead-letter-exchange') ? req.arguments['x-dead-letter-exchange'] : undefined;
  if (dlx?.type !== 'string') return;
  access.check('read', 'queue', name);
  access.check('write', 'exchange', dlx.value);
}

/** queue.delete (configure) */
export function checkQueueDelete(access: PrincipalAccess, name: string): void {
  access.check('configure', 'queue', stripCrLf(name));
}

/** basic.get, basic.consume, queue.purge (read on the queue) */
export function checkQueueRead(access: PrincipalAccess, name: string): void {
  access.check('read', 'queue', stripCrLf(name));
}

/**
 * queue.bind/unbind and exchange.bind/unbind (rabbit_channel:binding_action): write on the
 * destination, then the default-exchange refusal, then read on the source, then the topic
 * permission on the binding key when the source is a topic exchange.
 */
export function checkBinding(
  access: PrincipalAccess,
  vhost: VhostView,
  destinationKind: 'queue' | 'exchange',
  destination: string,
  source: string,
  bindingKey: string,
): void {
  destination = stripCrLf(destination);
  source = stripCrLf(source);
  access.check('write', destinationKind, destination);
  if (source === '' || (destinationKind === 'exchange' && destination === '')) return;
  access.check('read', 'exchange', source);
  if (vhost.exchanges.get(source)?.type === 'topic') access.checkTopic('read', source, bindingKey);
}

/** basic.publish, before the exchange is looked up (write on it; '' is amq.default). */
export function checkPublish(access: PrincipalAccess, exchange: string): void {
  access.check('write', 'exchange', exchange);
}

/** basic.publish, once the exchange is known to exist and is not internal. */
export function checkPublishTopic(access: PrincipalAccess, exchange: { readonly name: string; readonly type: string }, routingKey: string): void {
  if (exchange.type === 'topic') access.checkTopic('write', exchange.name, routingKey);
}
