import amqp from 'amqplib';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startBroker } from '../../../src/index.js';
import { silentLogger } from '../../../src/util/logger.js';
import { eventually } from '../../helpers/broker.js';

// A queue holding a steady backlog above the paging threshold (20,000 messages / 32 MiB) while a
// producer and a consumer run: its page files must follow the live bytes, not the bytes that
// went through. CI runs 15 s; PAGING_STEADY_SECONDS=60 runs the full minute.
const SECONDS = Number(process.env['PAGING_STEADY_SECONDS'] ?? 15);
const BODY = 4096;
const BACKLOG = 25_000;

function pageBytes(dataDir: string): number {
  const dir = join(dataDir, 'pages');
  if (!existsSync(dir)) return 0;
  let n = 0;
  for (const f of readdirSync(dir)) {
    try {
      n += statSync(join(dir, f)).size;
    } catch {
      // unlinked meanwhile
    }
  }
  return n;
}

describe('disk use of a paging queue', () => {
  it(`stays within 2x the live bytes with a steady backlog, producer and consumer running (${SECONDS} s), and is reclaimed as the backlog drains`, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'warren-paging-steady-'));
    const broker = await startBroker({ port: 0, bind: ['127.0.0.1'], dataDir, logger: silentLogger() });
    try {
      const pub = await amqp.connect(broker.url);
      const pch = await pub.createChannel();
      await pch.assertQueue('steady', { durable: false });
      const body = Buffer.alloc(BODY, 3);
      let published = 0;
      const publish = async (): Promise<void> => {
        body.writeUInt32BE(published++, 0);
        if (!pch.sendToQueue('steady', body)) await new Promise((r) => pch.once('drain', r));
      };
      for (let i = 0; i < BACKLOG; i++) await publish();
      await eventually(() => broker.readModel.queue('/', 'steady')?.messagesReady === BACKLOG, 20_000, 'backlog not in');

      // Closed loop: every message consumed is replaced by a new one, so the backlog holds.
      const cons = await amqp.connect(broker.url);
      const cch = await cons.createChannel();
      await cch.prefetch(200);
      let consumed = 0;
      let outOfOrder = 0;
      let producing = true;
      await cch.consume('steady', (m) => {
        if (m === null) return;
        if (m.content.readUInt32BE(0) !== consumed) outOfOrder++;
        consumed++;
        cch.ack(m);
        if (producing) void publish();
      });

      // Sample the files against the live bytes (what basic.consume/queue.declare report).
      const samples: { pages: number; live: number }[] = [];
      const started = Date.now();
      // Long enough for the old file-that-only-grows to pass the bound: 3 backlogs cycled.
      while (Date.now() - started < SECONDS * 1000 || consumed < 3 * BACKLOG) {
        await new Promise((r) => setTimeout(r, 1000));
        const { messageCount } = await pch.checkQueue('steady');
        samples.push({ pages: pageBytes(dataDir), live: messageCount * BODY });
        if (Date.now() - started > 10 * 60_000) throw new Error(`too slow: ${consumed} consumed`);
      }
      producing = false;
      const worst = Math.max(...samples.map((s) => s.pages / s.live));
      console.log(
        `steady backlog ${SECONDS} s: ${consumed} consumed, ${samples.length} samples, worst page files / live bytes ${worst.toFixed(2)}, ` +
          `last ${(samples.at(-1)!.pages / 2 ** 20).toFixed(0)} MiB on disk for ${(samples.at(-1)!.live / 2 ** 20).toFixed(0)} MiB live`,
      );
      for (const s of samples) expect(s.pages, `${s.pages} bytes of page files for ${s.live} live bytes`).toBeLessThanOrEqual(2 * s.live);
      expect(samples.some((s) => s.pages > 0)).toBe(true); // the queue did page

      // The consumer drains what is left: the files go with it.
      await eventually(() => consumed === published, 60_000, `drained ${consumed} of ${published}`);
      expect(outOfOrder).toBe(0);
      await eventually(() => pageBytes(dataDir) === 0, 10_000, 'page files left after the drain');
      await cons.close();
      await pub.close();
    } finally {
      await broker.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 15 * 60_000);
});
