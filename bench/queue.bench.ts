/**
 * The queue's hot primitives: Queue enqueue + drain to a consumer that always has credit (the broker's
 * path minus sockets), ReadyStore push/shift, and the Deque under it against Array#shift with a
 * 100,000-message backlog.
 * Run: npm run bench -- queue
 */
import { parseQueueArgs } from '../src/core/queue/arguments.js';
import type { QueueConsumer } from '../src/core/queue/consumer-set.js';
import { brokerPrincipal } from '../src/core/principal.js';
import type { Message as QueuedMessage } from '../src/core/message.js';
import { EntryState, type QueueEntry } from '../src/core/queue/entry.js';
import { Queue, type QueueEvents } from '../src/core/queue/queue.js';
import { ReadyStore } from '../src/core/queue/ready-store.js';
import { Message } from '../src/core/message.js';
import { encodePropertiesBuffer } from '../src/protocol/content-header.js';
import { Deque } from '../src/util/deque.js';
import { SystemClock } from '../src/util/system-clock.js';
import { bench, header, sink } from './harness.js';

const BACKLOG = 10_000;
const BIG = 100_000;

/** A consumer that takes everything: what the queue costs without a channel behind it. */
class CountingConsumer implements QueueConsumer {
  readonly tag: string;
  readonly exclusive = false;
  readonly noAck = true;
  readonly owner = brokerPrincipal('/');
  delivered = 0;

  constructor(tag: string) {
    this.tag = tag;
  }

  canDeliver(): boolean {
    return true;
  }

  deliver(_queue: unknown, _seq: number, message: QueuedMessage): void {
    this.delivered++;
    sink.value = message;
  }

  cancelledByQueue(): void {}
}

const events: QueueEvents = { onUnused() {}, deadLetter() {}, clock: new SystemClock() };

function newQueue(name: string, args = {}): Queue {
  return new Queue('/', name, { durable: false, exclusive: false, autoDelete: false, arguments: args, args: parseQueueArgs(args, name, '/'), owner: undefined }, events);
}

const message = new Message('amq.direct', 'key', encodePropertiesBuffer({ deliveryMode: 1 }), Buffer.alloc(16));

header('Queue: enqueue + drain to consumers with credit');
{
  const q = newQueue('one-by-one');
  const c = new CountingConsumer('c1');
  q.addConsumer(c, 0);
  // The consumer keeps up: each message is enqueued and delivered at once (queue stays empty).
  bench('enqueue 1, drain 1 (1 consumer, empty queue)', () => {
    q.enqueue(message, undefined);
    q.drain();
  });
}
{
  const q = newQueue('backlog');
  const c = new CountingConsumer('c1');
  q.addConsumer(c, 0);
  bench('enqueue 10k, drain 10k (1 consumer)', () => {
    for (let i = 0; i < BACKLOG; i++) q.enqueue(message, undefined);
    while (q.messageCount > 0) q.drain(); // one drain hands out one slice (DRAIN_SLICE_COUNT)
  }, { opsPerCall: BACKLOG });
}
{
  const q = newQueue('round-robin');
  const consumers = Array.from({ length: 10 }, (_, i) => new CountingConsumer(`c${i}`));
  for (const c of consumers) q.addConsumer(c, 0);
  bench('enqueue 10k, drain 10k (10 consumers, round-robin)', () => {
    for (let i = 0; i < BACKLOG; i++) q.enqueue(message, undefined);
    while (q.messageCount > 0) q.drain(); // one drain hands out one slice (DRAIN_SLICE_COUNT)
  }, { opsPerCall: BACKLOG });
}
{
  const q = newQueue('priority', { 'x-max-priority': { type: 'int8', value: 10 } });
  const c = new CountingConsumer('c1');
  q.addConsumer(c, 0);
  bench('enqueue 10k, drain 10k (x-max-priority 10)', () => {
    for (let i = 0; i < BACKLOG; i++) q.enqueue(message, undefined);
    while (q.messageCount > 0) q.drain(); // one drain hands out one slice (DRAIN_SLICE_COUNT)
  }, { opsPerCall: BACKLOG });
}

header('ReadyStore');
{
  const entries: QueueEntry[] = Array.from({ length: BACKLOG }, (_, seq) => ({
    message,
    seq,
    priority: 0,
    redelivered: false,
    returnCount: 0,
    expiresAt: 0,
    state: EntryState.Ready,
    inHeap: false,
    location: undefined,
  }));
  const store = new ReadyStore(0);
  bench('push 10k, shift 10k', () => {
    for (const e of entries) store.push(e);
    for (let i = 0; i < BACKLOG; i++) sink.value = store.shift();
  }, { opsPerCall: BACKLOG });
  const e0 = entries[0] as QueueEntry;
  bench('push 1, shift 1 (empty store)', () => {
    store.push(e0);
    sink.value = store.shift();
  });
  const prio = new ReadyStore(10);
  bench('push 10k, shift 10k (11 priority levels, all at 0)', () => {
    for (const e of entries) prio.push(e);
    for (let i = 0; i < BACKLOG; i++) sink.value = prio.shift();
  }, { opsPerCall: BACKLOG });
}

header('Deque vs Array#shift, 100,000 items');
{
  const items = Array.from({ length: BIG }, (_, i) => ({ i }));
  bench('Deque: push 100k, shift all', () => {
    const d = new Deque<{ i: number }>();
    for (const x of items) d.push(x);
    while (d.length > 0) sink.value = d.shift();
  }, { opsPerCall: BIG });
  bench('Array: push 100k, shift all', () => {
    const a: { i: number }[] = [];
    for (const x of items) a.push(x);
    while (a.length > 0) sink.value = a.shift();
  }, { opsPerCall: BIG });
  // A standing backlog: one in, one out, with 100k always queued (a queue that never catches up).
  const d = new Deque<{ i: number }>();
  const a: { i: number }[] = [];
  for (const x of items) {
    d.push(x);
    a.push(x);
  }
  let k = 0;
  bench('Deque: push 1 + shift 1 behind a 100k backlog', () => {
    d.push(items[k++ % BIG] as { i: number });
    sink.value = d.shift();
  });
  bench('Array: push 1 + shift 1 behind a 100k backlog', () => {
    a.push(items[k++ % BIG] as { i: number });
    sink.value = a.shift();
  });
}
