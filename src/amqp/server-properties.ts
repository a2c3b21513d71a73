import type { FieldTable } from '../protocol/field-table.js';
import { tableFromJs } from '../protocol/field-table.js';

/**
 * connection.start server-properties, with RabbitMQ's capability names so clients enable features.
 * The version is passed in (the broker reads package.json when it starts), so importing this module
 * touches no file.
 */
export function serverProperties(clusterName: string, version: string): FieldTable {
  return tableFromJs({
    product: 'Warren',
    version,
    platform: `Node.js ${process.version}`,
    copyright: 'Warren contributors, MIT licence',
    information: 'An AMQP 0-9-1 broker for Node.js, wire-compatible with RabbitMQ',
    cluster_name: clusterName,
    capabilities: {
      publisher_confirms: true,
      exchange_exchange_bindings: true,
      'basic.nack': true,
      consumer_cancel_notify: true,
      'connection.blocked': true,
      authentication_failure_close: true,
      per_consumer_qos: true,
      direct_reply_to: true,
      consumer_priorities: true,
    },
  });
}
