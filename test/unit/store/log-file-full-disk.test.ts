import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pacer } from '../../../src/store/pacer.js';
import { QueueLog } from '../../../src/store/queue-log.js';
import { SyncScheduler } from '../../../src/store/sync-scheduler.js';

/**
 * A message log on a disk that fills up: the writes that fail are nacked, cut back off the file and
 * retried, so once space comes back every record is on disk, whole, at the offset recorded for it,
 * and recovery returns all of them in order. (Left in place, a partial record was where recovery cut
 * the file, and the records appended after it landed at other offsets than recorded.)
 * Needs a small filesystem: a tmpfs mount, as root; skipped elsewhere with the reason.
 */

let mount: string | undefined;
let skip = '';

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'warren-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'ignore' });
    mount = dir;
  } catch {
    skip = 'needs root to mount a 1 MiB tmpfs';
    rmSync(dir, { recursive: true, force: true });
  }
});

afterAll(() => {
  if (mount === undefined) return;
  execFileSync('umount', ['-l', mount]);
  rmSync(mount, { recursive: true, force: true });
});


describe('a message log when the disk is full', () => {
  it('nacks the writes that failed, retries them once space is back, and recovers every record', async (ctx) => {
    if (mount === undefined) return ctx.skip(skip);
    const filler = join(mount, 'filler');
    writeFileSync(filler, Buffer.alloc(1024 * 1024 - 200 * 1024)); // leaves about 200 KiB
    const scheduler = new SyncScheduler('always', () => undefined);
    const log = QueueLog.create(join(mount, 'q'), scheduler);
    const results: boolean[] = [];
    const body = Buffer.alloc(1000, 7);
    for (let i = 0; i < 400; i++) {
      const id = Buffer.alloc(4);
      id.writeUInt32BE(i);
      log.append({ exchange: '', routingKey: 'q', properties: Buffer.from([0, 0]), body: Buffer.concat([id, body]), priority: 0, expiresAt: 0 }, (ok) => results.push(ok));
      if (i % 50 === 49) await scheduler.idle(); // several batches: some fit, then the disk is full
    }
    await scheduler.idle();
    expect(results).toHaveLength(400);
    expect(results.filter((ok) => !ok).length).toBeGreaterThan(0); // the full disk was noticed (nacks)
    rmSync(filler);
    // The failed bytes go out on the retry (one second later).
    await new Promise((r) => setTimeout(r, 2500));
    await scheduler.idle();
    log.close();
    const { report } = await QueueLog.recover(join(mount, 'q'), new SyncScheduler('always', () => undefined), new Pacer());
    expect(report.damage).toEqual([]);
    expect(report.messages.map((m) => m.body.readUInt32BE(0))).toEqual(Array.from({ length: 400 }, (_, i) => i));
  }, 30_000);
});
