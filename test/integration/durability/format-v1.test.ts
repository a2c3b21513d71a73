import amqp from 'amqplib';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startBroker } from '../../../src/index.js';
import { silentLogger } from '../../../src/util/logger.js';

const FIXTURE = fileURLToPath(new URL('../../../fixtures/data-dirs/v1', import.meta.url));

// A data directory written by format version 1 (how it was made: docs/storage-format.md).
// If a format change breaks reading it, this fails.
describe('storage format version 1', () => {
  it('recovers the saved data directory: topology, arguments, order, priority, acks', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'warren-v1-'));
    cpSync(FIXTURE, dataDir, { recursive: true });
    const broker = await startBroker({ port: 0, bind: ['127.0.0.1'], dataDir, logger: silentLogger() });
    try {
      const conn = await amqp.connect(broker.url);
      const ch = await conn.createChannel();
      await ch.checkExchange('orders');
      await ch.assertQueue('orders.eu', { durable: true, arguments: { 'x-max-priority': 3, 'x-dead-letter-exchange': 'orders' } });
      const got: amqp.GetMessage[] = [];
      for (;;) {
        const m = await ch.get('orders.eu', { noAck: true });
        if (m === false) break;
        got.push(m);
      }
      expect(got.map((m) => [m.content.toString(), m.fields.routingKey, m.fields.redelivered])).toEqual([
        ['first', 'eu.fr', false],
        ['third', 'eu.it', false],
      ]);
      expect(got[0]!.properties.headers).toEqual({ n: 1 });
      ch.publish('orders', 'eu.es', Buffer.from('routed'));
      expect((await ch.checkQueue('orders.eu')).messageCount).toBe(1);
      await conn.close();
    } finally {
      await broker.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
