import amqp from 'amqplib';
import { describe, expect, it } from 'vitest';
import { startBroker } from '../../../src/index.js';
import { createLogger } from '../../../src/util/logger.js';
import { eventually } from '../../helpers/broker.js';
import { jsonLogSink } from '../../helpers/json-logs.js';
import { mountSmallFs } from '../../helpers/small-fs.js';

// The data directory on a small filesystem of its own (tmpfs, so root is needed to mount it).
// A persistent message on a durable queue is written once even when the queue pages (its log
// record is read back, no page-file copy is made); with a disk-free limit far below the size,
// log writes hit ENOSPC before the alarm blocks the publisher.

describe('a full data directory while a queue pages', () => {
  // The alarm is checked every 250 ms and after every 16 MiB read from publishers (32 MiB written
  // here): a margin of 48 MiB is never overrun, one of 256 KiB always is.
  for (const [label, size, diskFreeLimit] of [
    ['the disk alarm blocks publishers before the disk is full', '96m', 48 * 2 ** 20],
    ['writes fail with ENOSPC first, then the alarm blocks publishers', '64m', 256 * 1024],
  ] as const) {
    it(`${label}; every confirmed message is consumed afterwards`, async (ctx) => {
      const fs = mountSmallFs(`size=${size}`);
      if (typeof fs === 'string') {
        console.log(`skipped: ${fs}`);
        ctx.skip();
        return;
      }
      const { lines: logs, sink } = jsonLogSink();
      const broker = await startBroker({ port: 0, bind: ['127.0.0.1'], dataDir: fs.dir, diskFreeLimit, logger: createLogger('warn', sink) });
      try {
        const pub = await amqp.connect(broker.url);
        const events: string[] = [];
        pub.on('blocked', (reason: string) => events.push(`blocked:${reason}`));
        pub.on('unblocked', () => events.push('unblocked'));
        const ch = await pub.createConfirmChannel();
        await ch.assertQueue('fills-disk', { durable: true });
        const body = Buffer.alloc(64 * 1024, 5);
        const confirmed = new Set<number>();
        const nacked = new Set<number>();
        let sent = 0;
        const deadline = Date.now() + 60_000;
        while (!events.some((e) => e.startsWith('blocked')) && Date.now() < deadline) {
          for (let i = 0; i < 8; i++) {
            body.writeUInt32BE(sent, 0);
            const n = sent++;
            ch.sendToQueue('fills-disk', body, { persistent: true }, (err) => (err ? nacked.add(n) : confirmed.add(n)));
          }
          await new Promise((r) => setTimeout(r, 1));
        }
        expect(events[0]).toBe('blocked:low on disk');
        expect(confirmed.size).toBeGreaterThan(0);

        // A consumer on its own connection drains: acks free the disk, the publisher is released
        // and the rest of what it sent goes through.
        const cons = await amqp.connect(broker.url);
        const cch = await cons.createChannel();
        await cch.prefetch(50);
        const seen = new Set<number>();
        await cch.consume('fills-disk', (m) => {
          if (m === null) return;
          seen.add(m.content.readUInt32BE(0));
          cch.ack(m);
        });
        await eventually(() => confirmed.size + nacked.size === sent, 60_000, `settled ${confirmed.size + nacked.size} of ${sent}`);
        await eventually(() => [...confirmed].every((n) => seen.has(n)), 60_000, `${[...confirmed].filter((n) => !seen.has(n)).length} confirmed messages not consumed`);
        await eventually(() => events.includes('unblocked'), 20_000, 'no connection.unblocked');
        const codes = (lines: Record<string, unknown>[]): (string | undefined)[] => lines.map((l) => (l['err'] as { code?: string } | undefined)?.code);
        const ioFailures = codes(logs.filter((l) => l['event'] === 'paging.io-failed'));
        const logFailures = codes(logs.filter((l) => l['event'] === 'store.write-failed'));
        console.log(
          `disk-free-limit ${diskFreeLimit}: sent ${sent}, confirmed ${confirmed.size}, nacked ${nacked.size}, consumed ${seen.size}; ` +
            `page io failures: ${ioFailures.length} (${[...new Set(ioFailures)].join(',')}), message-log write failures: ${logFailures.length} (${[...new Set(logFailures)].join(',')})`,
        );
        // Paging wrote nothing: every message here is persistent, read back from its log.
        expect(ioFailures).toEqual([]);
        if (diskFreeLimit < 2 ** 20) expect(logFailures).toContain('ENOSPC');
        else expect(logFailures).toEqual([]);
        await cons.close();
        await pub.close();
      } finally {
        await broker.close();
        fs.unmount();
      }
    }, 180_000);
  }
});
