import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FieldTable } from '../protocol/field-table.js';
import { tableFromJs } from '../protocol/field-table.js';

// The same module runs from src/ (tests) and dist/src/ (npm start): look upwards for package.json.
function readVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'warren' && typeof pkg.version === 'string') return pkg.version;
    }
    dir = dirname(dir);
  }
  return '0.0.0';
}

export const WARREN_VERSION: string = readVersion();

/** connection.start server-properties, with RabbitMQ's capability names so clients enable features. */
export function serverProperties(clusterName: string): FieldTable {
  return tableFromJs({
    product: 'Warren',
    version: WARREN_VERSION,
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
