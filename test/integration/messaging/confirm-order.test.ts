import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { describe, expect, it } from 'vitest';
import { encodePropertiesBuffer, writeBodyFrames, writeHeaderFrame, type BasicProperties } from '../../../src/protocol/content-header.js';
import { encodeMethodFrame, type MethodOf } from '../../../src/protocol/methods.generated.js';
import { Writer } from '../../../src/protocol/writer.js';
import { withBroker } from '../../helpers/broker.js';
import { RawClient, type RawFrame } from '../../helpers/raw-client.js';

/**
 * Holds every fdatasync the process makes until release() (the disk is slow), and tells when the
 * first one was asked for. Patched on node:fs itself, below the broker: nothing of Warren is mocked.
 */
function holdDiskSyncs(): { asked: Promise<void>; release: () => void; restore: () => void } {
  const original = fs.fdatasync;
  const held: (() => void)[] = [];
  let holding = true;
  let onAsked: () => void = () => undefined;
  const asked = new Promise<void>((resolve) => (onAsked = resolve));
  const patched = (fd: number, done: (err: NodeJS.ErrnoException | null) => void): void => {
    onAsked();
    if (holding) held.push(() => original(fd, done));
    else original(fd, done);
  };
  const install = (f: typeof fs.fdatasync): void => {
    (fs as { fdatasync: typeof fs.fdatasync }).fdatasync = f;
    syncBuiltinESMExports(); // the broker's `import { fdatasync } from 'node:fs'` sees the patch
  };
  install(patched as typeof fs.fdatasync);
  const release = (): void => {
    holding = false;
    for (const sync of held.splice(0)) sync();
  };
  return { asked, release, restore: () => (release(), install(original)) };
}

const PERSISTENT: BasicProperties = { deliveryMode: 2 };
const TRANSIENT: BasicProperties = {};

function publishFrames(w: Writer, channel: number, routingKey: string, properties: BasicProperties): void {
  encodeMethodFrame(w, channel, { name: 'basic.publish', ticket: 0, exchange: '', routingKey, mandatory: false, immediate: false });
  const body = Buffer.from(routingKey);
  writeHeaderFrame(w, channel, 60, body.length, encodePropertiesBuffer(properties));
  writeBodyFrames(w, channel, body, 131072);
}

type Confirm = { readonly name: 'basic.ack' | 'basic.nack'; readonly deliveryTag: number; readonly multiple: boolean };
const confirmsIn = (frames: readonly RawFrame[]): Confirm[] =>
  frames.flatMap((f) =>
    f.kind === 'method' && f.channel === 1 && (f.method.name === 'basic.ack' || f.method.name === 'basic.nack')
      ? [f.method as MethodOf<'basic.ack'> & Confirm]
      : [],
  );

/** Publish sequence numbers the confirms cover, in order of arrival (multiple=true covers every earlier one). */
function covered(confirms: readonly Confirm[]): number[] {
  const seen: number[] = [];
  for (const c of confirms) {
    for (let tag = c.multiple ? 1 : c.deliveryTag; tag <= c.deliveryTag; tag++) if (!seen.includes(tag)) seen.push(tag);
  }
  return seen;
}

describe('publisher confirms wait for the disk, in publish order', () => {
  it('a transient publish after a persistent one is not confirmed (multiple=true) before the persistent one is fsynced', async () => {
    await withBroker(async (broker) => {
      const raw = await RawClient.open(broker.port);
      await raw.openChannel(1);
      raw.sendMethod(1, { name: 'confirm.select', nowait: false });
      await raw.waitMethod('confirm.select-ok', 1);
      raw.sendMethod(1, { name: 'queue.declare', ticket: 0, queue: 'durable-q', passive: false, durable: true, exclusive: false, autoDelete: false, nowait: false, arguments: {} });
      await raw.waitMethod('queue.declare-ok', 1); // its definitions record is on disk: nothing else waits for a sync

      // Released before the broker closes, pass or fail: its close waits for the sync.
      const disk = holdDiskSyncs();
      try {
        // One write, so the broker reads all three at once: seq 1 persistent (waits for its fsync),
        // seq 2 and 3 transient (nothing to write) on the same durable queue.
        const w = new Writer(4096);
        publishFrames(w, 1, 'durable-q', PERSISTENT);
        publishFrames(w, 1, 'durable-q', TRANSIENT);
        publishFrames(w, 1, 'durable-q', TRANSIENT);
        raw.send(w.take());

        await disk.asked; // the broker wrote message 1 and now waits for the disk
        // A round trip on the same channel: anything the broker sent before its reply has arrived.
        raw.sendMethod(1, { name: 'basic.qos', prefetchSize: 0, prefetchCount: 10, global: false });
        await raw.waitMethod('basic.qos-ok', 1);
        expect(confirmsIn(raw.frames)).toEqual([]);

        disk.release();
        await raw.waitFor(() => covered(confirmsIn(raw.frames)).length === 3, 'confirms for seq 1..3');
        const confirms = confirmsIn(raw.frames);
        expect(confirms.every((c) => c.name === 'basic.ack')).toBe(true);
        expect(covered(confirms)).toEqual([1, 2, 3]);
        expect((await queueDepth(raw, 'durable-q')).messageCount).toBe(3);
      } finally {
        disk.restore();
      }
      await raw.close();
    });
  });
});

/** queue.declare passive: the depth the broker reports (waits for a reply after those already received). */
async function queueDepth(raw: RawClient, queue: string): Promise<MethodOf<'queue.declare-ok'>> {
  const from = raw.frames.length;
  raw.sendMethod(1, { name: 'queue.declare', ticket: 0, queue, passive: true, durable: false, exclusive: false, autoDelete: false, nowait: false, arguments: {} });
  const f = await raw.waitFor((x) => x.kind === 'method' && x.method.name === 'queue.declare-ok', 'queue.declare-ok', 5000, from);
  return (f as Extract<RawFrame, { kind: 'method' }>).method as MethodOf<'queue.declare-ok'>;
}
