import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../../src/index.js';
import { Message } from '../../../src/core/message.js';
import type { QueueConsumer } from '../../../src/core/queue/consumer-set.js';
import type { Queue } from '../../../src/core/queue/queue.js';
import { encodePropertiesBuffer } from '../../../src/protocol/content-header.js';
import type { FieldTable } from '../../../src/protocol/field-table.js';
import { silentLogger } from '../../../src/util/logger.js';
import { eventually } from '../../helpers/broker.js';
import { brokerPrincipal } from '../../../src/core/principal.js';

// Reads of the paged tail are asynchronous: these tests act on a queue (in process, so the
// moment is exact) while a read-back is in flight, i.e. before the event loop turns again.
// Past 20,000 ready messages a queue pages its tail (src/core/queue/queue-paging.ts).
const WINDOW = 20_000;

let dataDir: string;
let broker: Broker;
beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'warren-paging-races-'));
  broker = await startBroker({ port: 0, bind: ['127.0.0.1'], dataDir, logger: silentLogger() });
});
afterEach(async () => {
  await broker.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const plain = encodePropertiesBuffer({});
const pageFiles = (): string[] => (existsSync(join(dataDir, 'pages')) ? readdirSync(join(dataDir, 'pages')) : []);
const pageBytes = (): number => pageFiles().reduce((n, f) => n + statSync(join(dataDir, 'pages', f)).size, 0);

/** Waits until n paged records of q are in the files, so reading them back really goes to disk. */
async function written(q: Queue, n: number): Promise<void> {
  const record = 1 + 1 + Buffer.byteLength(q.name) + 4 + plain.length + 100;
  await eventually(() => pageBytes() >= n * record, 10_000, 'page writes did not land');
}
const turn = (): Promise<void> => new Promise((r) => setTimeout(r, 100));

function declare(name: string, args: FieldTable = {}): Queue {
  const vhost = broker.vhosts.get('/')!;
  return vhost.declareQueue({ name, passive: false, durable: false, exclusive: false, autoDelete: false, arguments: args }, brokerPrincipal('/'));
}

function fill(q: Queue, from: number, n: number, ttl?: number): void {
  for (let i = from; i < from + n; i++) {
    const body = Buffer.alloc(100);
    body.writeUInt32BE(i, 0);
    q.enqueue(new Message('', q.name, plain, body), ttl);
  }
}

/** A consumer that takes everything (no-ack) and records the numbers it got. */
function recorder(q: Queue): number[] {
  const got: number[] = [];
  const consumer: QueueConsumer = {
    tag: 't',
    exclusive: false,
    noAck: true,
    owner: brokerPrincipal('/'),
    canDeliver: () => true,
    deliver: (_q, _seq, message) => got.push(message.body.readUInt32BE(0)),
    cancelledByQueue: () => undefined,
  };
  q.addConsumer(consumer, 0);
  return got;
}

describe('paged tail with a read in flight', () => {
  it('purge: nothing purged is delivered when the read lands, and later messages flow', async () => {
    const q = declare('purge-race');
    fill(q, 0, 30_000);
    await written(q, 10_000);
    const got = recorder(q);
    // The window goes out within this turn, so the read-back asked for meanwhile cannot have landed
    // yet (a drain hands out one slice per call; the queue would continue on later turns).
    while (got.length < WINDOW) q.drain();
    expect(got.length).toBe(WINDOW);
    expect(q.purge()).toBe(10_000);
    await turn();
    expect(got.length).toBe(WINDOW);
    fill(q, 30_000, 1);
    await eventually(() => got.length === WINDOW + 1, 5000);
    expect(got.at(-1)).toBe(30_000);
    await eventually(() => pageFiles().length === 0, 5000, 'purged page files left');
  });

  it('delete: nothing is delivered afterwards and the page files go', async () => {
    const q = declare('delete-race');
    fill(q, 0, 30_000);
    await written(q, 10_000);
    const got = recorder(q);
    while (got.length < WINDOW) q.drain();
    expect(got.length).toBe(WINDOW);
    broker.readModel.deleteQueue('/', 'delete-race');
    await turn();
    expect(got.length).toBe(WINDOW);
    await eventually(() => pageFiles().length === 0, 5000, 'deleted queue left page files');
  });

  it('x-max-length drops the oldest paged messages when the window is empty and a read is in flight', async () => {
    const q = declare('limit-race', { 'x-max-length': { type: 'int32', value: 30_000 } });
    fill(q, 0, 55_000); // in one turn: the read-back asked for midway cannot land meanwhile
    expect(q.messageCount).toBe(30_000);
    const got = recorder(q);
    await eventually(() => got.length === 30_000, 10_000, 'not all delivered');
    expect(got).toEqual(Array.from({ length: 30_000 }, (_, i) => 25_000 + i));
  });

  it('expired paged messages leave where they sit, dead-lettered once each, never delivered', async () => {
    const vhost = broker.vhosts.get('/')!;
    vhost.declareExchange({ name: 'dlx', type: 'fanout', passive: false, durable: false, autoDelete: false, internal: false, arguments: {} });
    const dead = declare('dead');
    vhost.bindQueue('dead', 'dlx', '', {}, brokerPrincipal('/'));
    const q = declare('ttl-race', { 'x-dead-letter-exchange': { type: 'string', value: 'dlx' } });
    fill(q, 0, WINDOW + 1000);
    fill(q, 100_000, 5000, 30); // paged, expiring
    fill(q, WINDOW + 1000, 1000);
    const got = recorder(q);
    await Promise.resolve();
    await Promise.resolve();
    await eventually(() => got.length === WINDOW + 2000 && dead.messageCount === 5000, 10_000, `got ${got.length}, dead ${dead.messageCount}`);
    expect(got).toEqual(Array.from({ length: WINDOW + 2000 }, (_, i) => i));
    const deadOnes = recorder(dead);
    await eventually(() => deadOnes.length === 5000, 5000);
    expect(new Set(deadOnes).size).toBe(5000);
    expect(Math.min(...deadOnes)).toBe(100_000);
  });
});
