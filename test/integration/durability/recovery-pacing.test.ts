import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Message } from '../../../src/core/message.js';
import { startBroker } from '../../../src/index.js';
import { encodePropertiesBuffer } from '../../../src/protocol/content-header.js';
import { silentLogger } from '../../../src/util/logger.js';
import { brokerPrincipal } from '../../../src/core/principal.js';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'warren-pacing-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

/** Persistent messages written through the broker's core, as bench/recovery-scale.ts does. */
async function fill(queues: number, perQueue: number): Promise<void> {
  const broker = await startBroker({ port: 0, bind: ['127.0.0.1'], dataDir, logger: silentLogger(), fsync: 'never' });
  const vhost = broker.vhosts.get('/')!;
  const props = encodePropertiesBuffer({ deliveryMode: 2 });
  const body = Buffer.alloc(100, 7);
  for (let q = 0; q < queues; q++) {
    const name = `q${q}`;
    const queue = vhost.declareQueue({ name, passive: false, durable: true, exclusive: false, autoDelete: false, arguments: {} }, brokerPrincipal('/'));
    for (let i = 0; i < perQueue; i++) queue.enqueue(new Message('', name, props, body), undefined);
    await new Promise((r) => setImmediate(r));
  }
  await broker.close();
}

describe('recovery shares the event loop (an embedded broker must not freeze its application)', () => {
  it('the loop keeps turning while a large backlog is read back: long waits are a small part of the recovery', async () => {
    await fill(1, 60_000); // about 7.5 MB: one segment, read in one piece, parsed and restored in slices
    // An application's work: one unit per loop turn, adding up the waits of 100 ms or more.
    // (A sum, not the longest: on a loaded machine one wait can be the scheduler's doing.)
    let turns = 0;
    let longWaits = 0;
    let last = performance.now();
    let running = true;
    const turn = (): void => {
      const now = performance.now();
      if (now - last >= 100) longWaits += now - last;
      last = now;
      turns++;
      if (running) setImmediate(turn);
    };
    setImmediate(turn);
    const started = performance.now();
    const broker = await startBroker({ port: 0, bind: ['127.0.0.1'], dataDir, logger: silentLogger() });
    const took = performance.now() - started;
    running = false;
    try {
      const total = broker.readModel.queues('/').reduce((n, q) => n + q.messagesReady, 0);
      expect(total).toBe(60_000);
      // Parsing and restoring the segment in one piece: most of the recovery is one long wait.
      expect(turns).toBeGreaterThan(20);
      expect(longWaits / took).toBeLessThan(0.6); // unpaced: 0.97; generous for a loaded machine
    } finally {
      await broker.close();
    }
  }, 60_000);
});
