import { describe, expect, it } from 'vitest';
import { Message } from '../../../../src/core/message.js';
import type { PageStore, TopologyListener } from '../../../../src/core/persistence.js';
import type { QueueConsumer } from '../../../../src/core/queue/consumer-set.js';
import type { Queue } from '../../../../src/core/queue/queue.js';
import { VirtualHost } from '../../../../src/core/vhost.js';
import { SystemClock } from '../../../../src/util/system-clock.js';
import { decodeProperties, encodePropertiesBuffer } from '../../../../src/protocol/content-header.js';
import { brokerPrincipal } from '../../../../src/core/principal.js';

/** A page store in memory whose reads land only when the test says so. */
class HeldStore implements PageStore {
  private bytes = Buffer.alloc(0);
  private held: (() => void)[] = [];
  readonly released: number[] = [];

  append(parts: readonly Buffer[]): number {
    const position = this.bytes.length;
    this.bytes = Buffer.concat([this.bytes, ...parts]);
    return position;
  }
  read(position: number, length: number, done: (bytes: Buffer) => void): void {
    this.held.push(() => done(Buffer.from(this.bytes.subarray(position, position + length))));
  }
  release(position: number): void {
    this.released.push(position);
  }
  clear(): void {}
  destroy(): void {}
  get readsInFlight(): number {
    return this.held.length;
  }
  /** Lets every read asked for so far land. */
  land(): void {
    const held = this.held;
    this.held = [];
    for (const f of held) f();
  }
}

function setup(): { vhost: VirtualHost; store: HeldStore; queue: Queue } {
  const store = new HeldStore();
  const listener = {
    openPageStore: () => store,
    exchangeDeclared: () => undefined,
    exchangeDeleted: () => undefined,
    queueDeclared: () => undefined,
    queueDeleted: () => undefined,
    bindingAdded: () => undefined,
    bindingRemoved: () => undefined,
    definitionsMark: () => 0,
    whenDefinitionsSynced: () => false,
  } satisfies TopologyListener;
  const vhost = new VirtualHost('/', new SystemClock(), listener);
  const queue = vhost.declareQueue({ name: 'q', passive: false, durable: false, exclusive: false, autoDelete: false, arguments: {} }, brokerPrincipal('/'));
  return { vhost, store, queue };
}

const props = encodePropertiesBuffer({});
function publish(q: Queue, from: number, n: number, ttl?: number): void {
  for (let i = from; i < from + n; i++) {
    const body = Buffer.alloc(8);
    body.writeUInt32BE(i, 0);
    q.enqueue(new Message('', 'q', props, body), ttl);
  }
}

function consume(q: Queue): number[] {
  const got: number[] = [];
  const consumer: QueueConsumer = {
    tag: 'c',
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

/** Enough turns for the drain, which hands out 1,000 messages per turn, to empty the 20,000-message window. */
const ticks = async (): Promise<void> => {
  for (let i = 0; i < 40; i++) await new Promise((r) => setImmediate(r));
};

describe('a paged tail read back asynchronously', () => {
  it('asks for the next batch before the window runs dry; a consumer that finds it empty waits, then gets everything in order', async () => {
    const { store, queue } = setup();
    publish(queue, 0, 30_000);
    expect(store.readsInFlight).toBe(0); // nothing read while nobody consumes
    const got = consume(queue);
    await ticks();
    expect(got.length).toBe(20_000); // the in-memory window
    expect(store.readsInFlight).toBe(1); // asked for while the window still had messages
    expect(queue.messageCount).toBe(10_000);
    // Messages published while the read is in flight queue up behind it, not ahead of it.
    publish(queue, 30_000, 10);
    await ticks();
    expect(got.length).toBe(20_000);
    while (got.length < 30_010) {
      expect(store.readsInFlight).toBe(1);
      store.land();
      await ticks();
    }
    expect(got).toEqual(Array.from({ length: 30_010 }, (_, i) => i));
    expect(queue.messageCount).toBe(0);
    // Every paged record was released once, so the store can reclaim all of it.
    expect(store.released.length).toBe(10_010);
    expect(new Set(store.released).size).toBe(10_010);
  });

  it('a paged message that expires while the read covering it is in flight is not delivered when it lands', async () => {
    const { store, queue } = setup();
    publish(queue, 0, 20_000);
    publish(queue, 20_000, 5, 1); // paged, expiring in 1 ms
    publish(queue, 20_005, 5);
    const got = consume(queue);
    await ticks();
    expect(store.readsInFlight).toBe(1);
    await new Promise((r) => setTimeout(r, 30)); // the tail's expiry timer runs meanwhile
    expect(queue.messageCount).toBe(5);
    store.land();
    await ticks();
    expect(got).toEqual([...Array.from({ length: 20_000 }, (_, i) => i), 20_005, 20_006, 20_007, 20_008, 20_009]);
    expect(new Set(store.released).size).toBe(10);
  });
});

describe('basic.get while the paged tail is read back', () => {
  it('a get that finds the window empty waits for the read instead of answering get-empty', async () => {
    const { store, queue } = setup();
    publish(queue, 0, 25_000); // 20,000 in the window, 5,000 paged
    for (let i = 0; i < 20_000; i++) expect(queue.get()?.message.body.readUInt32BE(0)).toBe(i);
    expect(queue.get()).toBeUndefined(); // the window is empty: its next batch is being read back
    expect(queue.readingBack).toBe(true);
    expect(queue.messageCount).toBe(5_000);
    let woken = 0;
    queue.ref.whenReadBack(() => woken++);
    await ticks();
    expect(woken).toBe(0);
    store.land();
    await ticks();
    expect(woken).toBe(1);
    expect(queue.readingBack).toBe(false);
    expect(queue.get()?.message.body.readUInt32BE(0)).toBe(20_000);
  });

  it('a purge wakes a waiting get (its read will not land), which then finds the queue empty', async () => {
    const { queue } = setup();
    publish(queue, 0, 25_000);
    for (let i = 0; i < 20_000; i++) queue.get();
    expect(queue.get()).toBeUndefined();
    let woken = 0;
    queue.ref.whenReadBack(() => woken++);
    queue.purge();
    await ticks();
    expect(woken).toBe(1);
    expect(queue.readingBack).toBe(false);
    expect(queue.get()).toBeUndefined();
  });
});

describe('paged messages that expire on disk, with a dead-letter exchange', () => {
  it('are dead-lettered with their own routing key, properties and body once read; their neighbours stay, in order', async () => {
    const { vhost, store } = setup();
    vhost.declareExchange({ name: 'dlx', type: 'fanout', passive: false, durable: false, autoDelete: false, internal: false, arguments: {} });
    const dead = vhost.declareQueue({ name: 'dead', passive: false, durable: false, exclusive: false, autoDelete: false, arguments: {} }, brokerPrincipal('/'));
    vhost.bindQueue('dead', 'dlx', '', {}, brokerPrincipal('/'));
    const q = vhost.declareQueue(
      { name: 'dl-q', passive: false, durable: false, exclusive: false, autoDelete: false, arguments: { 'x-dead-letter-exchange': { type: 'string', value: 'dlx' } } },
      brokerPrincipal('/'),
    );
    const properties = encodePropertiesBuffer({ contentType: 'application/x-test', headers: { origin: { type: 'string', value: 'paged' } } });
    const enqueue = (n: number, ttl?: number): void => {
      const body = Buffer.alloc(8);
      body.writeUInt32BE(n, 0);
      q.enqueue(new Message('', `key-${n}`, properties, body), ttl);
    };
    for (let n = 0; n < 20_000; n++) enqueue(n); // the in-memory window
    for (let n = 20_000; n < 20_010; n++) enqueue(n, n % 2 === 0 ? 1 : undefined); // paged; the even ones expire
    expect(q.messageCount).toBe(20_010);

    await new Promise((r) => setTimeout(r, 30)); // the tail's expiry timer runs; nobody consumes
    await ticks();
    expect(q.messageCount).toBe(20_005);
    // Their bytes are being read for dead-lettering: the records are not released before that lands.
    expect(store.readsInFlight).toBe(5);
    expect(store.released).toEqual([]);
    expect(dead.messageCount).toBe(0);
    store.land();
    await ticks();
    expect(store.released).toHaveLength(5);

    const deadLettered: { n: number; routingKey: string; contentType: unknown; origin: unknown; reason: unknown }[] = [];
    for (let e = dead.get(); e !== undefined; e = dead.get()) {
      const p = decodeProperties(e.message.rawProperties);
      const death = p.headers?.['x-death'];
      const first = death?.type === 'array' ? death.value[0] : undefined;
      deadLettered.push({
        n: e.message.body.readUInt32BE(0),
        routingKey: e.message.routingKey,
        contentType: p.contentType,
        origin: p.headers?.['origin'],
        reason: first?.type === 'table' ? first.value['reason'] : undefined,
      });
    }
    expect(deadLettered).toEqual(
      [20_000, 20_002, 20_004, 20_006, 20_008].map((n) => ({
        n,
        routingKey: `key-${n}`,
        contentType: 'application/x-test',
        origin: { type: 'string', value: 'paged' },
        reason: { type: 'string', value: 'expired' },
      })),
    );

    // What is left is exactly the rest: the window, then the odd paged ones, in order.
    const left: number[] = [];
    for (let reads = 0; left.length < 20_005; ) {
      const e = q.get();
      if (e !== undefined) {
        left.push(e.message.body.readUInt32BE(0));
        continue;
      }
      expect(q.readingBack).toBe(true);
      expect(++reads, `still ${q.messageCount} to read back`).toBeLessThan(10);
      store.land();
      await ticks();
    }
    expect(left).toEqual([...Array.from({ length: 20_000 }, (_, i) => i), 20_001, 20_003, 20_005, 20_007, 20_009]);
    expect(q.messageCount).toBe(0);
  });
});
