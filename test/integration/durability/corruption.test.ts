import amqp from 'amqplib';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../../src/index.js';
import { createLogger, silentLogger } from '../../../src/util/logger.js';
import { getAllBodies } from '../../helpers/amqp.js';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'warren-corrupt-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

/** A broker whose log lines are collected, to assert what it said about the damage. */
async function startLogged(): Promise<{ broker: Broker; lines: Record<string, unknown>[] }> {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l.trim() !== '') lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  const broker = await startBroker({ port: 0, bind: ['127.0.0.1'], dataDir, logger: createLogger('info', sink) });
  return { broker, lines };
}

async function seed(queues: string[], perQueue: number): Promise<void> {
  const broker = await startBroker({ port: 0, bind: ['127.0.0.1'], dataDir, logger: silentLogger() });
  const conn = await amqp.connect(broker.url);
  const ch = await conn.createConfirmChannel();
  for (const q of queues) {
    await ch.assertQueue(q, { durable: true });
    for (let i = 0; i < perQueue; i++) ch.sendToQueue(q, Buffer.from(`${q}-${i}`), { persistent: true });
  }
  await ch.waitForConfirms();
  await conn.close();
  await broker.close();
}

function onlySegment(): string {
  const root = join(dataDir, 'msgs');
  const dir = join(root, readdirSync(root)[0]!);
  return join(dir, readdirSync(dir).find((f) => f.startsWith('msgs.'))!);
}

const contents = (broker: Broker, queue: string): Promise<string[]> => getAllBodies(broker.url, queue);

const damageLines = (lines: Record<string, unknown>[]): string[] =>
  lines.filter((l) => l['event'] === 'store.damaged').map((l) => String(l['detail']));

describe('torn writes are cut at the last whole record; foreign files are refused', () => {
  it('a segment truncated mid-record loses only that record, and says so', async () => {
    await seed(['q'], 5);
    const seg = onlySegment();
    truncateSync(seg, statSync(seg).size - 3);
    const { broker, lines } = await startLogged();
    expect(await contents(broker, 'q')).toEqual(['q-0', 'q-1', 'q-2', 'q-3']);
    const damage = damageLines(lines);
    expect(damage).toHaveLength(1);
    expect(damage[0]).toContain(seg);
    expect(damage[0]).toMatch(/torn record at byte \d+; cut at byte \d+/);
    await broker.close();
  });

  it('a corrupted byte in the last record fails its checksum: cut there', async () => {
    await seed(['q'], 3);
    const seg = onlySegment();
    const bytes = readFileSync(seg);
    bytes[bytes.length - 2] = (bytes[bytes.length - 2] as number) ^ 0xff;
    writeFileSync(seg, bytes);
    const { broker, lines } = await startLogged();
    expect(await contents(broker, 'q')).toEqual(['q-0', 'q-1']);
    expect(damageLines(lines)[0]).toContain('checksum mismatch');
    await broker.close();
  });

  it('zeros appended to a segment (a preallocated, unwritten tail) are cut', async () => {
    await seed(['q'], 2);
    const seg = onlySegment();
    appendFileSync(seg, Buffer.alloc(100));
    const { broker, lines } = await startLogged();
    expect(await contents(broker, 'q')).toEqual(['q-0', 'q-1']);
    expect(damageLines(lines)[0]).toContain(seg);
    await broker.close();
  });

  it('a torn ack-log tail is cut and the damage logged; whole ack records still count', async () => {
    await seed(['q'], 3);
    {
      const broker = await startBroker({ port: 0, bind: ['127.0.0.1'], dataDir, logger: silentLogger() });
      const conn = await amqp.connect(broker.url);
      const ch = await conn.createChannel();
      const m = await ch.get('q', { noAck: true });
      expect(m && m.content.toString()).toBe('q-0');
      await ch.checkQueue('q');
      await conn.close();
      await broker.close();
    }
    const acks = onlySegment().replace(/msgs\.(\d+)$/, 'acks.$1');
    appendFileSync(acks, Buffer.from([2, 0]));
    const { broker, lines } = await startLogged();
    expect(await contents(broker, 'q')).toEqual(['q-1', 'q-2']);
    expect(damageLines(lines).some((d) => d.includes('torn ack record'))).toBe(true);
    await broker.close();
  });

  it('a definitions log truncated mid-record keeps every whole record', async () => {
    await seed(['a', 'b', 'c'], 0);
    const defs = join(dataDir, 'definitions.log');
    truncateSync(defs, statSync(defs).size - 5);
    const { broker, lines } = await startLogged();
    expect(broker.readModel.queues('/').map((q) => q.name).sort()).toEqual(['a', 'b']);
    expect(damageLines(lines)[0]).toMatch(/definitions\.log: damaged record at byte \d+; dropped the last \d+ bytes/);
    await broker.close();
  });

  it('a definitions log with a foreign header is refused, not started empty (see store-format.test.ts)', async () => {
    await seed(['a'], 1);
    writeFileSync(join(dataDir, 'definitions.log'), 'not a warren file at all');
    await expect(startLogged()).rejects.toMatchObject({ name: 'StartupError', kind: 'store-format', exitCode: 5 });
    expect(readFileSync(join(dataDir, 'definitions.log'), 'utf8')).toBe('not a warren file at all');
    expect(readdirSync(join(dataDir, 'msgs'))).toHaveLength(1);
  });
});
