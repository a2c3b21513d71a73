import amqp from 'amqplib';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { startWarrenProcess, type WarrenProcess } from '../../helpers/process.js';
import { RawClient, rawMethodFrame } from '../../helpers/raw-client.js';

/**
 * A poison message: a persistent message whose content-header bytes do not decode, in a durable TTL +
 * dead-letter queue. Before publish-time validation such a message could be accepted and stored; when its
 * TTL fired the dead-letter copy threw outside any connection and the process exited, and again ~0.5 s
 * after every restart. A fixed broker refuses such a publish, so the data directory is made by hand, as an
 * older Warren would have left it (docs/storage-format.md).
 */

let proc: WarrenProcess | undefined;
let dataDir: string | undefined;

afterEach(async () => {
  await proc?.kill('SIGTERM');
  proc = undefined;
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
});

/** A headers table that claims 1000 bytes and has 3: flags, then a truncated table. */
const POISON = Buffer.concat([Buffer.from([0x20, 0x00]), Buffer.from([0, 0, 0x03, 0xe8]), Buffer.from('abc')]);

function segmentRecord(exchange: string, routingKey: string, properties: Buffer, body: Buffer, expiresAt: number): Buffer {
  const ex = Buffer.from(exchange);
  const rk = Buffer.from(routingKey);
  const meta = Buffer.alloc(1 + 8 + 1 + 1 + ex.length + 1 + rk.length + 4);
  let p = meta.writeUInt8(1, 0);
  p = meta.writeDoubleBE(expiresAt, p);
  p = meta.writeUInt8(0, p);
  p = meta.writeUInt8(ex.length, p);
  p += ex.copy(meta, p);
  p = meta.writeUInt8(rk.length, p);
  p += rk.copy(meta, p);
  meta.writeUInt32BE(properties.length, p);
  const payload = Buffer.concat([meta, properties, body]);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(payload.length, 0);
  head.writeUInt32BE(crc32(payload), 4);
  return Buffer.concat([head, payload]);
}

function segmentFile(records: Buffer[]): Buffer {
  const header = Buffer.alloc(8);
  header.write('WSEG', 0, 'latin1');
  header.writeUInt16BE(1, 4);
  return Buffer.concat([header, ...records]);
}

async function roundTrip(url: string): Promise<void> {
  const conn = await amqp.connect(url);
  const ch = await conn.createChannel();
  const { queue } = await ch.assertQueue('', { exclusive: true });
  ch.sendToQueue(queue, Buffer.from('ping'));
  let got: false | amqp.GetMessage = false;
  for (let i = 0; i < 400 && got === false; i++) {
    got = await ch.get(queue, { noAck: true });
    if (got === false) await new Promise((r) => setTimeout(r, 5));
  }
  expect(got === false ? 'nothing' : got.content.toString()).toBe('ping');
  await conn.close();
}

describe('a stored message whose content header does not decode', () => {
  it('expires, is dead-lettered with its header bytes as stored (logged, no x-death), and survives restarts', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'warren-poison-'));
    proc = await startWarrenProcess(['--data-dir', dataDir]);
    const conn = await amqp.connect(proc.url);
    const ch = await conn.createChannel();
    await ch.assertExchange('p.dlx', 'fanout', { durable: true });
    await ch.assertQueue('p.dead', { durable: true });
    await ch.bindQueue('p.dead', 'p.dlx', '');
    await ch.assertQueue('p.ttl', { durable: true, arguments: { 'x-message-ttl': 60_000, 'x-dead-letter-exchange': 'p.dlx' } });
    await conn.close();
    await proc.kill('SIGTERM');

    const dir = join(dataDir, 'msgs', createHash('sha1').update('/\u0000p.ttl').digest('hex'));
    expect(readdirSync(dir).filter((f) => f.startsWith('msgs.'))).toEqual([]);
    // Due 300 ms from now: the stored expiry keeps counting across the restart.
    writeFileSync(join(dir, 'msgs.0000000001'), segmentFile([segmentRecord('', 'p.ttl', POISON, Buffer.from('poison'), Date.now() + 300)]));

    proc = await startWarrenProcess(['--data-dir', dataDir]);
    const warned = proc.logs.filter((l) => l['event'] === 'recovery.unreadable-properties');
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ queue: 'p.ttl', vhost: '/', reason: expect.stringMatching(/truncated/) });

    // The TTL fires; the copy reaches p.dead through the dead-letter exchange, its property bytes unchanged.
    const c = await RawClient.open(proc.port);
    await c.openChannel(1);
    let got = false;
    for (let i = 0; i < 400 && !got; i++) {
      const from = c.frames.length;
      c.send(rawMethodFrame(1, 60, 70, Buffer.concat([Buffer.from([0, 0, 6]), Buffer.from('p.dead'), Buffer.from([0])])));
      const f = await c.waitFor((x) => x.kind === 'method' && (x.method.name === 'basic.get-ok' || x.method.name === 'basic.get-empty'), 'get', 5000, from);
      got = f.kind === 'method' && f.method.name === 'basic.get-ok';
      if (!got) await new Promise((r) => setTimeout(r, 10));
    }
    expect(got).toBe(true);
    await c.waitFor((x) => x.kind === 'header', 'header');
    // The header frame's payload: class, weight, body size, then exactly the stored property bytes.
    const expected = Buffer.concat([Buffer.from([0, 60, 0, 0]), Buffer.from([0, 0, 0, 0, 0, 0, 0, 6]), POISON]);
    expect(c.received().includes(expected)).toBe(true);
    await c.close();
    expect(proc.child.exitCode).toBeNull();
    await roundTrip(proc.url);

    // Restarted twice more: the copy in p.dead (unacked, so still stored) is recovered, logged, no crash.
    for (let i = 0; i < 2; i++) {
      await proc.kill('SIGTERM');
      proc = await startWarrenProcess(['--data-dir', dataDir]);
      expect(proc.logs.filter((l) => l['event'] === 'recovery.unreadable-properties').map((l) => l['queue'])).toEqual(['p.dead']);
      await new Promise((r) => setTimeout(r, 1000)); // past the ~0.5 s at which the old broker died again
      expect(proc.child.exitCode).toBeNull();
      await roundTrip(proc.url);
    }
  }, 90_000);
});

describe('a persistent message whose routing key is not UTF-8', () => {
  it('is stored and recovered with the exact bytes of its routing key', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'warren-rk-bytes-'));
    proc = await startWarrenProcess(['--data-dir', dataDir]);
    const conn = await amqp.connect(proc.url);
    const ch = await conn.createChannel();
    await ch.assertExchange('k.in', 'fanout', { durable: true });
    await ch.assertQueue('k.kept', { durable: true });
    await ch.bindQueue('k.kept', 'k.in', '');
    await conn.close();
    const bad = Buffer.alloc(255, 0xfe);
    const c = await RawClient.open(proc.port);
    await c.openChannel(1);
    c.sendMethod(1, { name: 'confirm.select', nowait: false });
    await c.waitMethod('confirm.select-ok', 1);
    c.send(rawMethodFrame(1, 60, 40, Buffer.concat([Buffer.from([0, 0, 4]), Buffer.from('k.in'), Buffer.from([255]), bad, Buffer.from([0])])));
    c.sendHeader(1, 0, { deliveryMode: 2 });
    await c.waitMethod('basic.ack', 1);
    await c.close();

    await proc.kill('SIGTERM');
    proc = await startWarrenProcess(['--data-dir', dataDir]);
    const c2 = await RawClient.open(proc.port);
    await c2.openChannel(1);
    c2.send(rawMethodFrame(1, 60, 70, Buffer.concat([Buffer.from([0, 0, 6]), Buffer.from('k.kept'), Buffer.from([1])])));
    const ok = await c2.waitMethod('basic.get-ok', 1);
    expect(ok.routingKey).toBe('\udcfe'.repeat(255));
    expect(c2.received().includes(Buffer.concat([Buffer.from([255]), bad]))).toBe(true);
    await c2.close();
  }, 60_000);
});
