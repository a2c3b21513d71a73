import amqp from 'amqplib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeMethodFrame } from '../../../src/protocol/methods.generated.js';
import { Writer } from '../../../src/protocol/writer.js';
import { withBroker } from '../../helpers/broker.js';
import { answerGapsDuring } from '../../helpers/probe.js';
import { startWarrenProcess } from '../../helpers/process.js';
import { RawClient } from '../../helpers/raw-client.js';

const declare = (queue: string, nowait = false, passive = false) =>
  ({ name: 'queue.declare', ticket: 0, queue, passive, durable: true, exclusive: false, autoDelete: false, nowait, arguments: {} }) as const;

describe('durable declarations, group-committed', () => {
  it('answers other clients while one declares many durable queues at once', async () => {
    await withBroker(async (broker) => {
      const raw = await RawClient.open(broker.port);
      await raw.openChannel(1);
      raw.sendMethod(1, { ...declare('probe-q'), durable: false });
      await raw.waitMethod('queue.declare-ok', 1);
      const CHANNELS = 300;
      for (let c = 2; c <= CHANNELS; c++) await raw.openChannel(c);
      // One write, one socket read on the broker: a declare per channel. Synced one record at a
      // time on the event loop, that read took 300 fdatasyncs before anything else ran.
      const w = new Writer(65536);
      for (let c = 1; c <= CHANNELS; c++) encodeMethodFrame(w, c, declare(`durable-${c}`));
      const gaps = await answerGapsDuring(
        broker.url,
        async () => raw.send(w.take()),
        async (ch) => {
          await ch.checkQueue('probe-q');
          return raw.count('queue.declare-ok') >= CHANNELS + 1;
        },
      );
      expect(Math.max(...gaps)).toBeLessThan(400);
      // The replies came in the order the declares were sent.
      const oks = raw.frames.filter((f) => f.kind === 'method' && f.method.name === 'queue.declare-ok').slice(1);
      expect(oks.map((f) => f.channel)).toEqual(Array.from({ length: CHANNELS }, (_, i) => i + 1));
      await raw.close();
    });
  }, 120_000);

  it('holds later requests until a declare is on disk, so replies keep their order across channels', async () => {
    await withBroker(async (broker) => {
      const raw = await RawClient.open(broker.port);
      await raw.openChannel(1);
      await raw.openChannel(2);
      const w = new Writer(1024);
      encodeMethodFrame(w, 1, declare('ordered-q'));
      encodeMethodFrame(w, 2, { name: 'basic.qos', prefetchSize: 0, prefetchCount: 5, global: false });
      encodeMethodFrame(w, 1, declare('nowait-q', true));
      encodeMethodFrame(w, 2, declare('nowait-q', false, true)); // passive: the nowait declare happened first
      raw.send(w.take());
      await raw.waitMethod('queue.declare-ok', 2);
      const replies = raw.frames.flatMap((f) => (f.kind === 'method' && f.channel > 0 && !f.method.name.startsWith('channel.') ? [`${f.channel}:${f.method.name}`] : []));
      expect(replies).toEqual(['1:queue.declare-ok', '2:basic.qos-ok', '2:queue.declare-ok']);
      await raw.close();
    });
  });
});

describe('kill -9 after declare-ok', () => {
  it('keeps every queue and binding whose declare-ok or bind-ok the client received', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'warren-defs-crash-'));
    try {
      const declared: string[] = [];
      for (let round = 0; round < 3; round++) {
        const warren = await startWarrenProcess(['--data-dir', dataDir, '--log-level', 'info']);
        const conn = await amqp.connect(warren.url);
        conn.on('error', () => undefined);
        const ch = await conn.createChannel();
        ch.on('error', () => undefined);
        // Many at once, so several share one fsync; the kill lands right after the last reply.
        const names = Array.from({ length: 50 }, (_, i) => `crash-${round}-${i}`);
        await Promise.all(names.map((n) => ch.assertQueue(n, { durable: true })));
        await ch.bindQueue(names[0] as string, 'amq.direct', `key-${round}`);
        declared.push(...names);
        await warren.kill('SIGKILL');
      }
      const warren = await startWarrenProcess(['--data-dir', dataDir, '--log-level', 'info']);
      try {
        const conn = await amqp.connect(warren.url);
        const ch = await conn.createConfirmChannel();
        for (const n of declared) expect((await ch.checkQueue(n)).queue).toBe(n);
        for (let round = 0; round < 3; round++) {
          ch.publish('amq.direct', `key-${round}`, Buffer.from(`r${round}`));
          await ch.waitForConfirms();
          const m = await ch.get(`crash-${round}-0`, { noAck: true });
          expect(m && m.content.toString()).toBe(`r${round}`);
        }
        await conn.close();
      } finally {
        await warren.kill('SIGTERM');
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
