/**
 * The channel's unacked map as a prefetch-0 consumer fills it with 1,000,000 deliveries: the longest
 * single add (what another client waits for when it lands in one delivery slice), single acks, and
 * one ack multiple of half of them. Next to it, the one plain Map it replaced.
 *   node --import tsx bench/unacked-map.ts [count]
 */
import { UnackedMap, type Delivery } from '../src/amqp/unacked-map.js';
import type { QueueRef } from '../src/core/queue/queue-ref.js';

const count = Number(process.argv[2] ?? 1_000_000);
const queue = {} as QueueRef;

interface Shape {
  add(d: Delivery): void;
  takeOne(tag: number): Delivery | undefined;
  take(tag: number, multiple: boolean): { length: number } | undefined;
}

/** The structure before: one Map by tag, a multiple settle collected into one array. */
class PlainMap implements Shape {
  private readonly byTag = new Map<number, Delivery>();
  add(d: Delivery): void {
    this.byTag.set(d.tag, d);
  }
  takeOne(tag: number): Delivery | undefined {
    const d = this.byTag.get(tag);
    if (d !== undefined) this.byTag.delete(tag);
    return d;
  }
  take(tag: number): Delivery[] {
    const out: Delivery[] = [];
    for (const [t, d] of this.byTag) {
      if (t > tag) break;
      out.push(d);
    }
    for (const d of out) this.byTag.delete(d.tag);
    return out;
  }
}

function run(name: string, map: Shape): void {
  let maxAdd = 0;
  const t0 = performance.now();
  for (let tag = 1; tag <= count; tag++) {
    const t = performance.now();
    map.add({ tag, queue, seq: tag, consumer: undefined, at: 0 });
    maxAdd = Math.max(maxAdd, performance.now() - t);
  }
  const t1 = performance.now();
  let maxAck = 0;
  for (let tag = count; tag > count / 2; tag--) {
    const t = performance.now();
    map.takeOne(tag);
    maxAck = Math.max(maxAck, performance.now() - t);
  }
  const t2 = performance.now();
  const n = map.take(count / 2, true)?.length;
  const t3 = performance.now();
  console.log(
    `${name}: ${count} adds ${(t1 - t0).toFixed(0)} ms (longest ${maxAdd.toFixed(1)} ms); ${count / 2} single acks ${(t2 - t1).toFixed(0)} ms (longest ${maxAck.toFixed(1)} ms); one ack multiple of ${n}: ${(t3 - t2).toFixed(1)} ms`,
  );
}

for (let round = 0; round < 3; round++) {
  run('segmented UnackedMap', new UnackedMap());
  run('one Map (before)    ', new PlainMap());
}
