import amqp from 'amqplib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FrameType } from '../../../src/protocol/constants.js';
import { startWarrenProcess, type WarrenProcess } from '../../helpers/process.js';
import { RawClient, rawFrame, rawMethodFrame } from '../../helpers/raw-client.js';

/**
 * Mutated sessions that used to kill the broker process (a RangeError or DecodeError thrown from a
 * timer or while re-encoding), over real sockets against a real process: after each, the process is
 * still running and a stock client still round-trips.
 */

let proc: WarrenProcess;
let dataDir: string;
let watcher: amqp.ChannelModel;
let ch: amqp.Channel;
let round = 0;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'warren-robust-'));
  proc = await startWarrenProcess(['--data-dir', dataDir, '--log-level', 'info', '--max-header-table-entries', '20000']);
  watcher = await amqp.connect(proc.url);
  ch = await watcher.createChannel();
  await ch.assertQueue('watch', { exclusive: true });
  await ch.assertExchange('rb.in', 'fanout', { durable: false });
  await ch.assertExchange('rb.dlx', 'fanout', { durable: false });
  await ch.assertQueue('rb.keep', { durable: false });
  await ch.assertQueue('rb.dead', { durable: false });
  await ch.assertQueue('rb.ttl', { durable: false, arguments: { 'x-message-ttl': 1, 'x-dead-letter-exchange': 'rb.dlx' } });
  await ch.assertQueue('rb.limit', { durable: false, arguments: { 'x-delivery-limit': 1, 'x-dead-letter-exchange': 'rb.dlx' } });
  await ch.bindQueue('rb.keep', 'rb.in', '');
  await ch.bindQueue('rb.ttl', 'rb.in', '');
  await ch.bindQueue('rb.dead', 'rb.dlx', '');
}, 60_000);

afterAll(async () => {
  await watcher?.close().catch(() => undefined);
  await proc?.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
});

afterEach(async () => {
  expect(proc.child.exitCode).toBeNull();
  const text = `alive ${++round}`;
  ch.sendToQueue('watch', Buffer.from(text));
  let got: false | amqp.GetMessage = false;
  for (let i = 0; i < 400 && got === false; i++) {
    got = await ch.get('watch', { noAck: true });
    if (got === false) await new Promise((r) => setTimeout(r, 5));
  }
  expect(got === false ? 'nothing' : got.content.toString()).toBe(text);
});

const BAD = Buffer.alloc(100, 0xff);
const u16 = (n: number): Buffer => Buffer.from([n >>> 8, n & 0xff]);
const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const shortstr = (b: Buffer): Buffer => Buffer.concat([Buffer.from([b.length]), b]);
const table = (entries: Buffer): Buffer => Buffer.concat([u32(entries.length), entries]);
const entry = (key: string, value: Buffer): Buffer => Buffer.concat([shortstr(Buffer.from(key)), value]);
const MAX_TIMESTAMP = Buffer.concat([Buffer.from('T'), Buffer.alloc(8, 0xff)]);

function publishFrame(exchange: string, routingKey: Buffer, mandatory = false): Buffer {
  return rawMethodFrame(1, 60, 40, Buffer.concat([u16(0), shortstr(Buffer.from(exchange)), shortstr(routingKey), Buffer.from([mandatory ? 1 : 0])]));
}

function headerFrame(properties: Buffer, bodySize = 0): Buffer {
  return rawFrame(FrameType.Header, 1, Buffer.concat([u16(60), u16(0), u32(0), u32(bodySize), properties]));
}

/** Properties with only a headers table. */
const withHeaders = (entries: Buffer): Buffer => Buffer.concat([u16(0x2000), table(entries)]);

async function rawGet(c: RawClient, queue: string): Promise<{ routingKey: string; bytesFrom: number }> {
  for (let i = 0; i < 400; i++) {
    const bytesFrom = c.received().length;
    c.send(rawMethodFrame(1, 60, 70, Buffer.concat([u16(0), shortstr(Buffer.from(queue)), Buffer.from([1])])));
    const f = await c.waitFor((x) => x.kind === 'method' && (x.method.name === 'basic.get-ok' || x.method.name === 'basic.get-empty'), 'get', 5000, c.frames.length);
    if (f.kind === 'method' && f.method.name === 'basic.get-ok') {
      await c.waitFor((x) => x.kind === 'header', 'header', 5000, c.frames.length - 1);
      return { routingKey: f.method.routingKey, bytesFrom };
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`nothing arrived in ${queue}`);
}

describe('bytes that are not UTF-8 in basic.publish', () => {
  it('a routing key of 100 bytes 0xFF is delivered, returned and dead-lettered as the same bytes', async () => {
    const c = await RawClient.open(proc.port);
    await c.openChannel(1);
    c.send(publishFrame('rb.in', BAD));
    c.send(headerFrame(withHeaders(entry('stamp', MAX_TIMESTAMP))));
    const kept = await rawGet(c, 'rb.keep');
    expect(kept.routingKey).toBe('\udcff'.repeat(100));
    expect(c.received().subarray(kept.bytesFrom).includes(shortstr(BAD))).toBe(true);
    // Expired in rb.ttl, dead-lettered with x-death routing-keys [those bytes], the timestamp intact.
    const dead = await rawGet(c, 'rb.dead');
    const after = c.received().subarray(dead.bytesFrom);
    expect(dead.routingKey).toBe('\udcff'.repeat(100));
    expect(after.includes(Buffer.concat([Buffer.from('S'), u32(100), BAD]))).toBe(true);
    expect(after.includes(MAX_TIMESTAMP)).toBe(true);
    // Unroutable and mandatory: basic.return carries the bytes.
    const from = c.received().length;
    c.send(publishFrame('', BAD, true));
    c.send(headerFrame(u16(0)));
    const ret = await c.waitMethod('basic.return', 1);
    expect(ret.routingKey).toBe('\udcff'.repeat(100));
    expect(c.received().subarray(from).includes(shortstr(BAD))).toBe(true);
    await c.close();
  });

  it('a consumer tag that is not UTF-8 is refused as RabbitMQ 3.10 refuses it: 501', async () => {
    const c = await RawClient.open(proc.port);
    await c.openChannel(1);
    c.send(rawMethodFrame(1, 60, 20, Buffer.concat([u16(0), shortstr(Buffer.from('rb.keep')), shortstr(BAD), Buffer.from([0]), u32(0)])));
    const close = await c.waitConnectionClose();
    expect([close.replyCode, close.replyText, close.classId, close.methodId]).toEqual([501, 'FRAME_ERROR - Malformed UTF-8 in shortstr', 60, 20]);
  });

  it('an exchange name that is not UTF-8 in exchange.declare: 501, nothing declared', async () => {
    const c = await RawClient.open(proc.port);
    await c.openChannel(1);
    c.send(rawMethodFrame(1, 40, 10, Buffer.concat([u16(0), shortstr(BAD), shortstr(Buffer.from('direct')), Buffer.from([2]), u32(0)])));
    const close = await c.waitConnectionClose();
    expect([close.replyCode, close.replyText]).toEqual([501, 'FRAME_ERROR - Malformed UTF-8 in shortstr']);
  });
});

describe('names', () => {
  it('CR and LF are removed from a declared queue name, as RabbitMQ does; NUL is kept', async () => {
    const c = await RawClient.open(proc.port);
    await c.openChannel(1);
    c.send(rawMethodFrame(1, 50, 10, Buffer.concat([u16(0), shortstr(Buffer.from('rb\r\nnl')), Buffer.from([0]), u32(0)])));
    expect((await c.waitMethod('queue.declare-ok', 1)).queue).toBe('rbnl');
    const from = c.frames.length;
    c.send(rawMethodFrame(1, 50, 10, Buffer.concat([u16(0), shortstr(Buffer.from('rb\u0000nul')), Buffer.from([0]), u32(0)])));
    const ok = await c.waitFor((f) => f.kind === 'method' && f.method.name === 'queue.declare-ok', 'declare-ok', 5000, from);
    expect(ok.kind === 'method' && ok.method.name === 'queue.declare-ok' ? ok.method.queue : '').toBe('rb\u0000nul');
    await c.close();
    await ch.checkQueue('rbnl');
  });
});

describe('timestamps beyond 2^53', () => {
  it('a header timestamp 0xFFFF_FFFF_FFFF_FFFF survives the delivery limit and x-delivery-count', async () => {
    const c2 = await RawClient.open(proc.port);
    await c2.openChannel(1);
    c2.send(publishFrame('', Buffer.from('rb.limit')));
    c2.send(headerFrame(Buffer.concat([u16(0x2000 | 0x0040), table(entry('stamp', MAX_TIMESTAMP)), Buffer.alloc(8, 0xff)])));
    c2.send(rawMethodFrame(1, 60, 20, Buffer.concat([u16(0), shortstr(Buffer.from('rb.limit')), shortstr(Buffer.from('t1')), Buffer.from([0]), u32(0)])));
    const reject = (tag: number): void => c2.send(rawMethodFrame(1, 60, 90, Buffer.concat([Buffer.alloc(4), u32(tag), Buffer.from([1])])));
    reject((await c2.waitMethod('basic.deliver', 1)).deliveryTag);
    // Redelivered with x-delivery-count spliced in next to the timestamp; rejected again, over the limit of 1.
    const from = c2.received().length;
    const again = await c2.waitFor((f) => f.kind === 'method' && f.method.name === 'basic.deliver' && f.method.redelivered, 'redelivery');
    await c2.waitFor((f) => f.kind === 'header', 'header', 5000, c2.frames.indexOf(again));
    expect(c2.received().subarray(from).includes(MAX_TIMESTAMP)).toBe(true);
    expect(c2.received().subarray(from).includes(Buffer.from('x-delivery-count'))).toBe(true);
    reject((again as { method: { deliveryTag: number } }).method.deliveryTag);
    const dead = await rawGet(c2, 'rb.dead');
    expect(c2.received().subarray(dead.bytesFrom).includes(MAX_TIMESTAMP)).toBe(true);
    await c2.close();
  });
});

describe('malformed content headers: 502 at publish, one log line, no stack', () => {
  const cases: ReadonlyArray<readonly [string, Buffer, RegExp]> = [
    // message-id lies past what the delivery-time peek reads: before, this was accepted and failed later.
    ['a truncated property list', Buffer.concat([u16(0x8080), shortstr(Buffer.from('text/plain')), Buffer.from([20]), Buffer.from('abc')]), /truncated/],
    ['an unknown value tag in the headers table', withHeaders(entry('k', Buffer.from('Z'))), /unknown field value tag 0x5a/],
    ['a nested table longer than its parent', withHeaders(entry('k', Buffer.concat([Buffer.from('F'), u32(1000)]))), /truncated/],
    ['a headers table nested 40 deep (limit 32)', withHeaders(nested(40)), /max-header-table-depth/],
    ['20,001 entries (limit set to 20,000)', withHeaders(manyEntries(20_001)), /max-header-table-entries/],
  ];
  for (const [name, properties, text] of cases) {
    it(name, async () => {
      const logsBefore = proc.logs.length;
      const c = await RawClient.open(proc.port);
      await c.openChannel(1);
      c.send(publishFrame('', Buffer.from('rb.keep')));
      c.send(headerFrame(properties));
      const close = await c.waitConnectionClose();
      expect([close.replyCode, close.classId, close.methodId]).toEqual([502, 60, 40]);
      expect(close.replyText).toMatch(/^SYNTAX_ERROR - content header properties do not decode: /);
      expect(close.replyText).toMatch(text);
      await c.waitSocketClose();
      const lines = proc.logs.slice(logsBefore);
      expect(lines.filter((l) => (l['level'] as number) >= 50)).toEqual([]);
      expect(JSON.stringify(lines)).not.toMatch(/"stack"/);
    });
  }

  it('a 17,000-entry headers table is accepted by default limits and routed with CC on the default exchange', async () => {
    const c = await RawClient.open(proc.port);
    await c.openChannel(1);
    const cc = entry('CC', Buffer.concat([Buffer.from('A'), u32(1 + 4 + 4), Buffer.from('S'), u32(4), Buffer.from('watc')]));
    c.send(publishFrame('', Buffer.from('rb.keep')));
    c.send(headerFrame(withHeaders(Buffer.concat([manyEntriesBytes(17_000), cc]))));
    await rawGet(c, 'rb.keep');
    await c.close();
  });
});

function nested(depth: number): Buffer {
  let inner = table(Buffer.alloc(0));
  for (let i = 1; i < depth; i++) inner = table(entry('n', Buffer.concat([Buffer.from('F'), inner])));
  return entry('n', Buffer.concat([Buffer.from('F'), inner]));
}

function manyEntriesBytes(n: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < n; i++) parts.push(entry(i.toString(36).padStart(3, '0'), Buffer.from([0x74, 1])));
  return Buffer.concat(parts);
}

function manyEntries(n: number): Buffer {
  return manyEntriesBytes(n);
}
