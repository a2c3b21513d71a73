import { amqpError } from '../errors/index.js';

/** RabbitMQ's texts for the refusals a vhost raises. */
export function lockedQueue(vhost: string, queue: string) {
  return amqpError(
    'WARREN_RESOURCE_LOCKED',
    `cannot obtain exclusive access to locked queue '${queue}' in vhost '${vhost}'. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.`,
  );
}

export function queueNotFound(vhost: string, queue: string) {
  return amqpError('WARREN_NOT_FOUND', `no queue '${queue}' in vhost '${vhost}'`);
}

export function defaultExchangeRefused() {
  return amqpError('WARREN_ACCESS_REFUSED', `operation not permitted on the default exchange`);
}

export function queueLimitReached(vhost: string, queue: string, limit: number) {
  return amqpError('WARREN_QUEUE_LIMIT', `cannot declare queue '${queue}': queue limit in vhost '${vhost}' (${limit}) is reached`);
}

/** A queue owned by another cluster node, reached without the cluster layer's forwarder (not joined yet). */
export function remoteQueue(vhost: string, queue: string, node: string) {
  return amqpError('WARREN_QUEUE_REMOTE', `queue '${queue}' in vhost '${vhost}' lives on node '${node}', which this node cannot reach yet`);
}

/** Throws err: for an expression that has no value to give (`a ?? raise(...)`). */
export function raise(err: Error): never {
  throw err;
}
