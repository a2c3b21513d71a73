import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../../src/index.js';
import { Message } from '../../../src/core/message.js';
import type { QueueConsumer } from '../../../src/core/queue/consumer-set.js';
import type { Queue } from '../../../src/core/queue/queue.js';
import { encodePropertiesBuffer } from '../../../src/protocol/content-header.js';
import { silentLogger } from '../../../src/util/logger.js';
import { eventually } from '../../helpers/broker.js';
import { brokerPrincipal } from '../../../src/core/principal.js';

// A drain hands out a slice, then continues on a later turn of the event loop so other sockets are
// served. The slice is bounded by count (1,000) and bytes (512 KiB), and by time (about 3 ms): when
// each delivery is costly, 1,000 of them would hold the loop far longer than the count suggests.

let dataDir: string;
let broker: Broker;
beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'warren-drain-slices-'));
  broker = await startBroker({ port: 0, bind: ['127.0.0.1'], dataDir, logger: silentLogger() });
});
afterEach(async () => {
  await broker.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // a delivery that costs this much CPU (many channels, a slow socket write)
  }
}

describe('drain slices', () => {
  it('a backlog drained to a consumer whose every delivery costs 0.1 ms yields to the event loop every few ms, not every 1,000 messages', async () => {
    const q: Queue = broker.vhosts.get('/')!.declareQueue({ name: 'slow', passive: false, durable: false, exclusive: false, autoDelete: false, arguments: {} }, brokerPrincipal('/'));
    const plain = encodePropertiesBuffer({});
    const N = 25_000; // past the paging threshold: the tail is read back while the drain runs
    for (let i = 0; i < N; i++) {
      const body = Buffer.alloc(100);
      body.writeUInt32BE(i, 0);
      q.enqueue(new Message('', 'slow', plain, body), undefined);
    }
    const got: number[] = [];
    let perTurn = 0;
    const turns: number[] = [];
    // Runs once per turn of the loop: how many deliveries happened since the last turn.
    const tick = (): void => {
      if (perTurn > 0) turns.push(perTurn);
      perTurn = 0;
      if (got.length < 5000) setImmediate(tick);
    };
    setImmediate(tick);
    const consumer: QueueConsumer = {
      tag: 'slow',
      exclusive: false,
      noAck: true,
      owner: {},
      canDeliver: () => got.length < 5000,
      deliver: (_q, e) => {
        busy(0.1);
        got.push(e.message.body.readUInt32BE(0));
        perTurn++;
      },
      cancelledByQueue: () => undefined,
    };
    q.addConsumer(consumer, 0);
    await eventually(() => got.length === 5000, 30_000, `delivered ${got.length}`);
    expect(got).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    // 3 ms of 0.1 ms deliveries, the clock read every 32: 64 per slice, at most a slice or two per turn.
    expect(Math.max(...turns)).toBeLessThanOrEqual(200);
  });
});
