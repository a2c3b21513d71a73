import amqp from 'amqplib';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { queueDir } from '../../../src/persistence.js';
import { getAllBodies } from '../../helpers/amqp.js';
import { startWarrenProcess, type WarrenProcess } from '../../helpers/process.js';

// A queue declared by a definitions import gets its message directory with its first message
// (persistence.ts queueDeclared): these are the crashes that must not lose it or its messages.

async function publishConfirmed(w: WarrenProcess, queue: string, body: string): Promise<void> {
  const conn = await amqp.connect(w.url);
  const ch = await conn.createConfirmChannel();
  await ch.checkQueue(queue); // declared (recovered), not created by this publish
  ch.sendToQueue(queue, Buffer.from(body), { persistent: true });
  await ch.waitForConfirms();
  await conn.close();
}

describe('queues declared by a definitions import', () => {
  it('survive kill -9 without a message directory, and keep the messages published to them across further crashes', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'warren-lazy-dirs-'));
    const file = join(dataDir, 'defs.json');
    writeFileSync(
      file,
      JSON.stringify({
        queues: ['idle', 'busy'].map((name) => ({ name, vhost: '/', durable: true, auto_delete: false, arguments: { 'x-max-length': 100 } })),
      }),
    );
    const data = join(dataDir, 'data');
    const dir = (queue: string): string => queueDir(data, '/', queue);
    let w: WarrenProcess | undefined;
    try {
      w = await startWarrenProcess(['--data-dir', data, '--load-definitions', file]);
      expect(existsSync(dir('idle'))).toBe(false); // the import made no directory
      await publishConfirmed(w, 'busy', 'b1');
      expect(existsSync(dir('busy'))).toBe(true); // the first message did
      await w.kill('SIGKILL');

      // Recovery alone (no --load-definitions) brings both back, and makes no directory for the idle one.
      w = await startWarrenProcess(['--data-dir', data]);
      expect(existsSync(dir('idle'))).toBe(false);
      await publishConfirmed(w, 'idle', 'i1');
      await publishConfirmed(w, 'busy', 'b2');
      await w.kill('SIGKILL');

      w = await startWarrenProcess(['--data-dir', data]);
      expect(await getAllBodies(w.url, 'idle')).toEqual(['i1']);
      expect(await getAllBodies(w.url, 'busy')).toEqual(['b1', 'b2']);
      // The arguments came through the crashes too: a passive declare with other ones would be refused.
      const conn = await amqp.connect(w.url);
      const ch = await conn.createChannel();
      await ch.assertQueue('idle', { durable: true, arguments: { 'x-max-length': 100 } });
      await conn.close();
    } finally {
      await w?.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
