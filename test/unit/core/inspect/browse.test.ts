import { describe, expect, it } from 'vitest';
import { browseQueue } from '../../../../src/core/inspect/browse.js';
import { Message } from '../../../../src/core/message.js';
import type { PageStore, TopologyListener } from '../../../../src/core/persistence.js';
import { brokerPrincipal } from '../../../../src/core/principal.js';
import type { Queue } from '../../../../src/core/queue/queue.js';
import { VirtualHost } from '../../../../src/core/vhost.js';
import { encodePropertiesBuffer } from '../../../../src/protocol/content-header.js';
import { ManualClock } from '../../../../src/util/manual-clock.js';

/** A page store in memory whose reads land only when the test says so; counts what is read and released. */
class HeldStore implements PageStore {
  private bytes = Buffer.alloc(0);
  private held: (() => void)[] = [];
  readonly released: number[] = [];
  reads = 0;
  append(parts: readonly Buffer[]): number {
    const position = this.bytes.length;
    this.bytes = Buffer.concat([this.bytes, ...parts]);
    return position;
  }
  read(position: number, length: number, done: (bytes: Buffer) => void): void {
    this.reads++;
    this.held.push(() => done(Buffer.from(this.bytes.subarray(position, position + length))));
  }
  release(position: number): void {
    this.released.push(position);
  }
  clear(): void {}
  destroy(): void {}
  land(): void {
    const held = this.held;
    this.held = [];
    for (const f of held) f();
  }
}

function setup(args = {}): { vhost: VirtualHost; store: HeldStore; queue: Queue; clock: ManualClock } {
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
  const clock = new ManualClock();
  const vhost = new VirtualHost('/', clock, listener);
  const queue = vhost.declareQueue({ name: 'q', passive: false, durable: false, exclusive: false, autoDelete: false, arguments: args }, brokerPrincipal('/'));
  return { vhost, store, queue, clock };
}

const props = encodePropertiesBuffer({});
function publish(q: Queue, from: number, n: number, ttl?: number): void {
  for (let i = from; i < from + n; i++) {
    const body = Buffer.alloc(8);
    body.writeUInt32BE(i, 0);
    q.enqueue(new Message('', 'q', props, body), ttl);
  }
}
const numbers = (ms: { message: Message }[]): number[] => ms.map((m) => m.message.body.readUInt32BE(0));

describe('browseQueue', () => {
  it('reads the window, then the paged tail record by record, and leaves both untouched', async () => {
    const { queue, store } = setup();
    publish(queue, 0, 20_010); // 20,000 in the window, 10 paged
    const pending = browseQueue(queue, { from: 19_998, count: 5 }, 0);
    let settled = false;
    void pending.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false); // waits for the three tail records it asked for: they lie end to end, so one read
    expect(store.reads).toBe(1);
    store.land();
    const got = await pending;
    expect(got.map((m) => m.position)).toEqual([19_998, 19_999, 20_000, 20_001, 20_002]);
    expect(numbers(got)).toEqual([19_998, 19_999, 20_000, 20_001, 20_002]);
    expect(got[0]?.behind).toBe(20_010 - 19_999);
    expect(store.released).toEqual([]); // nothing released: still the tail's
    expect(queue.messageCount).toBe(20_010);
    expect(queue.counters.deliver + queue.counters.get).toBe(0);
    // Delivery order is intact and unflagged.
    for (let i = 0; i < 20_000; i++) expect(queue.get(true)?.message.body.readUInt32BE(0)).toBe(i);
    store.land();
    await new Promise((r) => setImmediate(r));
    const rest = [];
    for (let e = queue.get(true); e !== undefined; e = queue.get(true)) rest.push([e.message.body.readUInt32BE(0), e.redelivered]);
    expect(rest).toEqual(Array.from({ length: 10 }, (_, i) => [20_000 + i, false]));
  });

  it('skips expired messages, as a delivery would, and caps count', async () => {
    const { queue, clock } = setup();
    publish(queue, 0, 3, 1000);
    publish(queue, 3, 2);
    // At a time the first three are due, before their timer has run: a delivery would drop them.
    expect(numbers(await browseQueue(queue, { count: 10 }, clock.now() + 1000))).toEqual([3, 4]);
    expect((await browseQueue(queue, { count: 5000 }, clock.now())).length).toBe(5); // capped at 1000, not refused
    expect(queue.messageCount).toBe(5);
  });

  it('ends when the queue is deleted while tail reads are in flight', async () => {
    const { vhost, queue } = setup();
    publish(queue, 0, 20_003);
    const pending = browseQueue(queue, { from: 20_000, count: 3 }, 0);
    vhost.deleteQueue('q', brokerPrincipal('/'), false, false);
    expect(await pending).toEqual([]);
  });

  it('shows a priority queue highest first, FIFO within a priority', async () => {
    const { queue } = setup({ 'x-max-priority': { type: 'int32', value: 9 } });
    [2, 9, 2, 0, 9].forEach((p, i) => {
      const body = Buffer.alloc(4);
      body.writeUInt32BE(i, 0);
      queue.enqueue(new Message('', 'q', encodePropertiesBuffer({ priority: p }), body), undefined);
    });
    expect(numbers(await browseQueue(queue, { from: 1, count: 3 }, 0))).toEqual([4, 0, 2]);
  });
});
