import amqp from 'amqplib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually } from '../../helpers/broker.js';
import { startWarrenProcess } from '../../helpers/process.js';

/**
 * The CLI's heap check counts garbage until V8 collects it; when the process is over a limit the CLI
 * forces a collection (src/cli.ts) and judges again. Whatever collects, the broker must keep serving
 * while the alarm is on (an earlier way of collecting, an inspector session, stopped the event loop
 * here) and the alarm must clear once the queue is emptied.
 */
describe('the CLI heap alarm and garbage', () => {
  it('keeps serving while the heap alarm is on, and clears the alarm once the queue is purged', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'warren-heap-gc-'));
    const proc = await startWarrenProcess(['--data-dir', dataDir, '--memory-high-watermark', '4GiB'], 20_000, ['--max-old-space-size=128']);
    try {
      const pub = await amqp.connect(proc.url);
      const events: string[] = [];
      pub.on('blocked', () => events.push('blocked'));
      pub.on('unblocked', () => events.push('unblocked'));
      const ch = await pub.createChannel();
      await ch.assertQueue('flood', { maxPriority: 2 }); // kept whole in memory, never paged
      const body = Buffer.alloc(8, 1);
      // Small messages cost heap far beyond their bytes: the heap limit, not the watermark, stops them.
      for (let sent = 0; !events.includes('blocked') && sent < 2_000_000; sent += 1000) {
        for (let k = 0; k < 1000; k++) ch.sendToQueue('flood', body, { headers: { a: 1 } });
        await new Promise((r) => setImmediate(r));
      }
      expect(events).toContain('blocked');
      // The log line travels through the child's stdout and may arrive after the blocked frame.
      await eventually(() => proc.logs.some((l) => l['event'] === 'alarm.memory.set'), 10_000, 'no alarm.memory.set log line');
      expect(proc.logs.find((l) => l['event'] === 'alarm.memory.set')?.['cause']).toBe('heap');

      const admin = await amqp.connect(proc.url, { timeout: 10_000 }); // a broker that stopped serving fails here
      const ach = await admin.createChannel();
      await ach.purgeQueue('flood');
      await eventually(() => events.at(-1) === 'unblocked', 20_000, `still blocked after the purge: ${events.join(', ')}`);
      expect(proc.logs.some((l) => l['event'] === 'alarm.memory.cleared')).toBe(true);
      await admin.close();
      await pub.close();
    } finally {
      await proc.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
