import { describe, expect, it } from 'vitest';
import type { Message } from '../../../../src/core/message.js';
import type { QueueConsumer, QueueRef } from '../../../../src/core/queue/queue-ref.js';
import { declareQueue, drained, int, manualVhost, OWNER, publish } from '../manual-time.js';

/** The in-process queue reference through its interface only: deliveries by id, settles by id. */
function consumer(noAck = false): QueueConsumer & { got: { seq: number; body: string; redelivered: boolean; count: number }[] } {
  const got: { seq: number; body: string; redelivered: boolean; count: number }[] = [];
  return {
    tag: 'c',
    exclusive: false,
    noAck,
    owner: OWNER,
    got,
    canDeliver: () => true,
    deliver: (_q: QueueRef, seq: number, m: Message, redelivered: boolean, count: number) => got.push({ seq, body: m.body.toString(), redelivered, count }),
    cancelledByQueue: () => undefined,
  };
}

describe('LocalQueueRef', () => {
  it('delivers with ids, acks by id once; an unknown or settled id is refused with false and changes nothing', async () => {
    const { vhost } = manualVhost();
    declareQueue(vhost, 'q');
    const ref = vhost.queueRef('q', OWNER);
    const c = consumer();
    ref.consume(c, 0);
    publish(vhost, '', 'q', 'one');
    publish(vhost, '', 'q', 'two');
    await drained();
    expect(c.got.map((d) => d.body)).toEqual(['one', 'two']);
    const [one, two] = c.got;
    expect(ref.ack(one!.seq)).toBe(true);
    expect(ref.ack(one!.seq)).toBe(false); // already settled
    expect(ref.reject(one!.seq, true)).toBe(false);
    expect(ref.ack(9999)).toBe(false); // never delivered
    // requeue by id: redelivered under the same id, flagged
    expect(ref.reject(two!.seq, true)).toBe(true);
    await drained();
    expect(c.got[2]).toMatchObject({ seq: two!.seq, body: 'two', redelivered: true });
    expect(ref.reject(two!.seq, false)).toBe(true);
    expect(ref.ack(two!.seq)).toBe(false);
    expect(ref.messageCount).toBe(0);
  });

  it('no-ack deliveries and gets leave nothing to settle; a get without no-ack does; deletion forgets every id', async () => {
    const { vhost } = manualVhost();
    declareQueue(vhost, 'q', { 'x-delivery-limit': int(5) });
    const ref = vhost.queueRef('q', OWNER);
    publish(vhost, '', 'q', 'a');
    publish(vhost, '', 'q', 'b');
    const a = ref.get(true);
    expect(a?.message.body.toString()).toBe('a');
    expect(ref.ack(a!.seq)).toBe(false);
    const b = ref.get(false);
    const bSeq = b!.seq;
    expect(ref.reject(bSeq, true)).toBe(true);
    const again = ref.get(false);
    expect(again).toMatchObject({ seq: bSeq, redelivered: true, deliveryCount: 1 });
    vhost.deleteQueue('q', OWNER, false, false);
    expect(ref.ack(bSeq)).toBe(false);
  });
});
