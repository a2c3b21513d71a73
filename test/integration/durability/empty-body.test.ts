import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqp from 'amqplib';
import { afterEach, describe, expect, it } from 'vitest';
import { startBroker } from '../../../src/index.js';
import { silentLogger } from '../../../src/util/logger.js';

/**
 * Persistent messages with an empty body, and the messages after them, survive a restart. A zero-length
 * part was once fed to zlib.crc32, which answers 0 for an empty buffer without memory behind it: the
 * record got a CRC of 0, and recovery cut the segment there, losing it and everything after it.
 */

let dataDir: string;
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

describe('empty message bodies on disk', () => {
  it('an empty persistent message and the ones after it come back after a restart', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'warren-empty-body-'));
    const options = { port: 0, bind: ['127.0.0.1'], dataDir, logger: silentLogger() };
    let broker = await startBroker(options);
    const conn = await amqp.connect(broker.url);
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('empty-bodies', { durable: true });
    const bodies = ['first', '', '', 'after the empty ones', ''];
    for (const b of bodies) ch.sendToQueue('empty-bodies', Buffer.from(b), { persistent: true, messageId: `m-${b.length}` });
    await ch.waitForConfirms();
    await conn.close();
    await broker.close();

    broker = await startBroker(options);
    try {
      const c2 = await amqp.connect(broker.url);
      const ch2 = await c2.createChannel();
      const got: string[] = [];
      for (;;) {
        const m = await ch2.get('empty-bodies', { noAck: true });
        if (m === false) break;
        got.push(m.content.toString());
      }
      expect(got).toEqual(bodies);
      await c2.close();
    } finally {
      await broker.close();
    }
  });
});
