import { execFileSync } from 'node:child_process';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../../src/index.js';
import { createLogger } from '../../../src/util/logger.js';
import { eventually } from '../../helpers/broker.js';
import { jsonLogSink } from '../../helpers/json-logs.js';
import { mountSmallFs } from '../../helpers/small-fs.js';
import { RawClient } from '../../helpers/raw-client.js';

// The data directory on a 2 MiB tmpfs of its own (root is needed to mount it), filled to the last
// byte by a filler file: every write to the definitions log then fails with ENOSPC.

function fillDisk(dir: string): string {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(4096, 1);
  try {
    for (;;) writeSync(fd, block);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
  return path;
}

const declare = (queue: string, passive = false) =>
  ({ name: 'queue.declare', ticket: 0, queue, passive, durable: true, exclusive: false, autoDelete: false, nowait: false, arguments: {} }) as const;

/**
 * The log file's last page has room a full filesystem still lets it use: declares go through until
 * one needs a new page. Declares one at a time until one is refused; returns its name.
 */
async function declareUntilRefused(raw: RawClient, prefix: string, refusals: () => number): Promise<string> {
  const before = refusals();
  for (let i = 0; i < 200; i++) {
    const name = `${prefix}-${i}`;
    raw.sendMethod(1, declare(name));
    let answered = false;
    void raw.waitFor((f) => f.kind === 'method' && f.method.name === 'queue.declare-ok' && f.method.queue === name, name, 10_000).then(
      () => (answered = true),
      () => undefined,
    );
    await eventually(() => answered || refusals() > before, 10_000, `neither declare-ok nor a refusal for ${name}`);
    if (!answered) return name;
  }
  throw new Error('the disk never refused a definitions record');
}

describe('the definitions log on a full disk', () => {
  it('acknowledges a declare only once its record is on disk: none after a restart while full, durable once space is back', async (ctx) => {
    const fs = mountSmallFs('size=2m');
    if (typeof fs === 'string') {
      console.log(`skipped: ${fs}`);
      ctx.skip();
      return;
    }
    const { lines: logs, sink } = jsonLogSink();
    const start = (): Promise<Broker> => startBroker({ port: 0, bind: ['127.0.0.1'], dataDir: fs.dir, diskFreeLimit: 1, logger: createLogger('warn', sink) });
    const failures = () => logs.filter((l) => l.event === 'definitions.write-failed');
    const passive = async (broker: Broker, queue: string): Promise<string> => {
      const raw = await RawClient.open(broker.port);
      await raw.openChannel(1);
      raw.sendMethod(1, declare(queue, true));
      const f = await raw.waitFor((x) => x.kind === 'method' && (x.method.name === 'queue.declare-ok' || x.method.name === 'channel.close'), 'a reply');
      raw.destroy();
      return f.kind === 'method' ? f.method.name : '';
    };
    try {
      let broker = await start();
      try {
        const raw = await RawClient.open(broker.port);
        await raw.openChannel(1);
        raw.sendMethod(1, declare('before-full'));
        await raw.waitMethod('queue.declare-ok', 1);
        const filler = fillDisk(fs.dir);
        const refused = await declareUntilRefused(raw, 'while-full', () => failures().length);
        // Other clients are still answered, but not this declare: its record is not on disk.
        expect(await passive(broker, 'before-full')).toBe('queue.declare-ok');
        expect(raw.frames.some((f) => f.kind === 'method' && f.channel === 1 && f.method.name === 'queue.declare-ok' && f.method.queue === refused)).toBe(false);
        expect(raw.count('connection.close')).toBe(0);
        // Retried every second meanwhile: still one line each, not one per retry. (A slow machine
        // can only make fewer retries happen here, never more lines.)
        await new Promise((r) => setTimeout(r, 2500));
        expect(logs.filter((l) => l.event === 'store.write-failed')).toHaveLength(1);
        expect(failures()).toHaveLength(1);
        // Stopped while the disk is still full: the declare was never acknowledged and is not kept.
        await broker.close();
        rmSync(filler);
        broker = await start();
        expect(await passive(broker, refused)).toBe('channel.close');
        expect(await passive(broker, 'before-full')).toBe('queue.declare-ok');

        // Full again: the declare waits, and goes through (acknowledged, durable) once space is back.
        const raw2 = await RawClient.open(broker.port);
        await raw2.openChannel(1);
        const filler2 = fillDisk(fs.dir);
        const failuresBefore = failures().length;
        const waiting = await declareUntilRefused(raw2, 'waits-for-space', () => failures().length);
        rmSync(filler2);
        await raw2.waitFor((f) => f.kind === 'method' && f.method.name === 'queue.declare-ok' && f.method.queue === waiting, waiting, 10_000);
        expect(logs.some((l) => l.event === 'definitions.write-resumed')).toBe(true);
        // One line per failing stretch, however many retries it took.
        expect(failures().length).toBe(failuresBefore + 1);
        raw2.destroy();
        await broker.close();
        broker = await start();
        expect(await passive(broker, waiting)).toBe('queue.declare-ok');
      } finally {
        await broker.close();
      }
    } finally {
      fs.unmount();
    }
  }, 60_000);

  it('refuses a durable declare whose message directory cannot be made (no inodes left) with 506, and keeps no record of it', async (ctx) => {
    const fs = mountSmallFs('size=4m,nr_inodes=256');
    if (typeof fs === 'string') {
      console.log(`skipped: ${fs}`);
      ctx.skip();
      return;
    }
    const start = (): Promise<Broker> => startBroker({ port: 0, bind: ['127.0.0.1'], dataDir: fs.dir, diskFreeLimit: 1, logger: createLogger('warn', new Writable({ write: (_c, _e, done) => done() })) });
    try {
      let broker = await start();
      try {
        const fillers = join(fs.dir, 'fillers');
        execFileSync('mkdir', [fillers]);
        for (let i = 0; ; i++) {
          try {
            closeSync(openSync(join(fillers, String(i)), 'w'));
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
            throw err;
          }
        }
        const raw = await RawClient.open(broker.port);
        await raw.openChannel(1);
        raw.sendMethod(1, declare('no-inode'));
        const close = await raw.waitMethod('channel.close', 1);
        expect(close.replyCode).toBe(506);
        expect(close.replyText).toBe("RESOURCE_ERROR - cannot create the message store of queue 'no-inode' in vhost '/' (ENOSPC)");
        expect(broker.internalErrors).toBe(0); // a full disk is not a bug
        raw.sendMethod(1, { name: 'channel.close-ok' });
        await raw.openChannel(1);
        const from = raw.frames.length;
        raw.sendMethod(1, declare('no-inode', true));
        const second = await raw.waitFor((f) => f.kind === 'method' && f.method.name === 'channel.close', 'channel.close', 5000, from);
        expect(second.kind === 'method' && second.method.name === 'channel.close' && second.method.replyCode).toBe(404); // not half-declared in memory
        raw.destroy();
        rmSync(fillers, { recursive: true });
        await broker.close();
        broker = await start();
        const again = await RawClient.open(broker.port);
        await again.openChannel(1);
        again.sendMethod(1, declare('no-inode', true));
        expect((await again.waitMethod('channel.close', 1)).replyCode).toBe(404);
        again.destroy();
      } finally {
        await broker.close();
      }
    } finally {
      fs.unmount();
    }
  }, 60_000);
});
