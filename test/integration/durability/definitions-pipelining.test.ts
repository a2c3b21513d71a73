import fs, { mkdtempSync, rmSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startBroker } from '../../../src/index.js';
import { encodeMethodFrame, type Method } from '../../../src/protocol/methods.generated.js';
import { Writer } from '../../../src/protocol/writer.js';
import { silentLogger } from '../../../src/util/logger.js';
import { withBroker } from '../../helpers/broker.js';
import { RawClient } from '../../helpers/raw-client.js';

const declare = (queue: string, passive = false) =>
  ({ name: 'queue.declare', ticket: 0, queue, passive, durable: true, exclusive: false, autoDelete: false, nowait: false, arguments: {} }) as const;

/** Counts the process's fdatasync calls (the store's fsyncs) while installed. */
function countFsyncs(): { readonly count: () => number; readonly restore: () => void } {
  const original = fs.fdatasync;
  let n = 0;
  fs.fdatasync = ((fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => {
    n++;
    original(fd, cb);
  }) as typeof fs.fdatasync;
  syncBuiltinESMExports();
  return {
    count: () => n,
    restore: () => {
      fs.fdatasync = original;
      syncBuiltinESMExports();
    },
  };
}

function replies(raw: RawClient): string[] {
  return raw.frames.flatMap((f) => (f.kind === 'method' && f.channel > 0 && f.method.name !== 'channel.open-ok' ? [`${f.channel}:${f.method.name}`] : []));
}

let restore: (() => void) | undefined;
afterEach(() => restore?.());

describe('durable declares pipelined on one connection', () => {
  for (const channels of [1, 4]) {
    it(`share fsyncs (group commit) over ${channels} channel(s), each declare-ok after its record is on disk, in order`, async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'warren-pipelined-'));
      const DECLARES = 600;
      try {
        let broker = await startBroker({ port: 0, bind: ['127.0.0.1'], dataDir, logger: silentLogger() });
        const raw = await RawClient.open(broker.port);
        for (let c = 1; c <= channels; c++) await raw.openChannel(c);
        const w = new Writer(1 << 16);
        for (let i = 0; i < DECLARES; i++) encodeMethodFrame(w, (i % channels) + 1, declare(`pipelined-${i}`));
        const fsyncs = countFsyncs();
        restore = fsyncs.restore;
        raw.send(w.take());
        await raw.waitFor(() => raw.count('queue.declare-ok') >= DECLARES, 'every declare-ok', 60_000);
        fsyncs.restore();
        // One fdatasync per declare before: input was held after each durable declare until its
        // record synced. Now the declares of one socket read share a batch.
        expect(fsyncs.count()).toBeLessThan(DECLARES / 4);
        const oks = raw.frames.flatMap((f) => (f.kind === 'method' && f.method.name === 'queue.declare-ok' ? [f.method.queue] : []));
        expect(oks).toEqual(Array.from({ length: DECLARES }, (_, i) => `pipelined-${i}`));
        await raw.close();
        // Every acknowledged declare is durable: the broker is stopped and started again.
        await broker.close();
        broker = await startBroker({ port: 0, bind: ['127.0.0.1'], dataDir, logger: silentLogger() });
        try {
          const again = await RawClient.open(broker.port);
          await again.openChannel(1);
          const check = new Writer(1 << 16);
          for (let i = 0; i < DECLARES; i++) encodeMethodFrame(check, 1, declare(`pipelined-${i}`, true));
          again.send(check.take());
          await again.waitFor(() => again.count('queue.declare-ok') >= DECLARES, 'every passive declare-ok', 60_000);
          expect(again.count('channel.close')).toBe(0);
          await again.close();
        } finally {
          await broker.close();
        }
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    }, 120_000);
  }

  it('answers a method of another class only after the durable declares sent before it, on every channel', async () => {
    await withBroker(async (broker) => {
      const raw = await RawClient.open(broker.port);
      await raw.openChannel(1);
      await raw.openChannel(2);
      const w = new Writer(4096);
      const frames: [number, Method][] = [
        [1, declare('order-a')],
        [1, declare('order-b')],
        [1, { name: 'basic.get', ticket: 0, queue: 'order-a', noAck: true }],
        [2, { name: 'basic.qos', prefetchSize: 0, prefetchCount: 5, global: false }],
        [1, declare('order-c')],
        [2, declare('order-c', true)],
      ];
      for (const [c, m] of frames) encodeMethodFrame(w, c, m);
      raw.send(w.take());
      await raw.waitMethod('queue.declare-ok', 2);
      expect(replies(raw)).toEqual(['1:queue.declare-ok', '1:queue.declare-ok', '1:basic.get-empty', '2:basic.qos-ok', '1:queue.declare-ok', '2:queue.declare-ok']);
      await raw.close();
    });
  });

  it('sends a channel error raised behind waiting declare-oks after them, not before', async () => {
    await withBroker(async (broker) => {
      const raw = await RawClient.open(broker.port);
      await raw.openChannel(1);
      const w = new Writer(4096);
      encodeMethodFrame(w, 1, declare('before-error-1'));
      encodeMethodFrame(w, 1, declare('before-error-2'));
      encodeMethodFrame(w, 1, declare('no-such-queue', true)); // 404 NOT_FOUND
      encodeMethodFrame(w, 1, declare('after-error')); // dropped: the channel is closing
      raw.send(w.take());
      const close = await raw.waitMethod('channel.close', 1);
      expect(close.replyCode).toBe(404);
      expect(replies(raw)).toEqual(['1:queue.declare-ok', '1:queue.declare-ok', '1:channel.close']);
      raw.sendMethod(1, { name: 'channel.close-ok' });
      await raw.openChannel(1);
      raw.sendMethod(1, declare('after-error', true));
      expect((await raw.waitMethod('channel.close', 1)).replyCode).toBe(404);
      await raw.close();
    });
  });

  it('defers a publish sent behind a waiting declare with its content, and delivers it into the new queue', async () => {
    await withBroker(async (broker) => {
      const raw = await RawClient.open(broker.port);
      await raw.openChannel(1);
      raw.sendMethod(1, { name: 'confirm.select', nowait: false });
      await raw.waitMethod('confirm.select-ok', 1);
      raw.sendMethod(1, declare('deferred-publish'));
      raw.publish(1, '', 'deferred-publish', Buffer.from('hello'));
      raw.sendMethod(1, { name: 'basic.get', ticket: 0, queue: 'deferred-publish', noAck: true });
      await raw.waitMethod('basic.get-ok', 1);
      await raw.waitMethod('basic.ack', 1);
      // The confirm may go out before or after get-ok (confirms are batched), both after declare-ok.
      const after = replies(raw).filter((r) => r !== '1:confirm.select-ok');
      expect(after[0]).toBe('1:queue.declare-ok');
      expect(after.slice(1).sort()).toEqual(['1:basic.ack', '1:basic.get-ok']);
      expect(raw.count('body')).toBe(1);
      await raw.close();
    });
  });
});
