import { describe, expect, it } from 'vitest';
import type { Message } from '../../../../src/core/message.js';
import type { Queue } from '../../../../src/core/queue/queue.js';
import type { VirtualHost } from '../../../../src/core/vhost.js';
import { deathsOf, declareExchange, declareQueue, getAll, int, manualVhost, OWNER, publish, publishResult, str } from '../manual-time.js';

/** A fanout dead-letter exchange 'dlx' with one queue 'dead' behind it. */
function withDeadLetters(vhost: VirtualHost): Queue {
  declareExchange(vhost, 'dlx', 'fanout');
  const dead = declareQueue(vhost, 'dead');
  vhost.bindQueue('dead', 'dlx', '', {}, OWNER);
  return dead;
}

/** Every message in `queue` with the reason of its newest death. */
function deadReasons(queue: Queue): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (let e = queue.get(); e !== undefined; e = queue.get()) {
    queue.settle(e);
    out.push([e.message.body.toString(), deathsOf(e.message as Message)[0]?.['reason']]);
  }
  return out;
}

describe('Queue, through its public methods', () => {
  it('hands messages out in publish order', () => {
    const { vhost } = manualVhost();
    const q = declareQueue(vhost, 'q');
    for (const body of ['a', 'b', 'c', 'd']) publish(vhost, '', 'q', body);
    expect(q.messageCount).toBe(4);
    expect(getAll(q)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('with x-max-priority: highest priority first, FIFO within one, above the maximum counts as the maximum, none as 0', () => {
    const { vhost } = manualVhost();
    const q = declareQueue(vhost, 'q', { 'x-max-priority': int(5) });
    publish(vhost, '', 'q', 'low-1', { priority: 1 });
    publish(vhost, '', 'q', 'none');
    publish(vhost, '', 'q', 'four', { priority: 4 });
    publish(vhost, '', 'q', 'top', { priority: 5 });
    publish(vhost, '', 'q', 'low-2', { priority: 1 });
    publish(vhost, '', 'q', 'over', { priority: 9 });
    publish(vhost, '', 'q', 'mid', { priority: 3 });
    expect(getAll(q)).toEqual(['top', 'over', 'four', 'mid', 'low-1', 'low-2', 'none']);
  });

  it('a message expiring in the middle leaves alone; its neighbours stay, in order, until their own TTL', () => {
    const { clock, vhost } = manualVhost();
    const dead = withDeadLetters(vhost);
    const q = declareQueue(vhost, 'q', { 'x-dead-letter-exchange': str('dlx') });
    publish(vhost, '', 'q', 'first', { expiration: '3000' });
    publish(vhost, '', 'q', 'middle', { expiration: '1000' });
    publish(vhost, '', 'q', 'last');
    clock.advance(999);
    expect(q.messageCount).toBe(3);
    clock.advance(1);
    expect(q.messageCount).toBe(2);
    expect(q.counters.drop_expired).toBe(1);
    expect(deadReasons(dead)).toEqual([['middle', 'expired']]); // the one that expired, not the head
    clock.advance(1999);
    expect(q.messageCount).toBe(2); // 'first' is due at 3000, not a millisecond before
    clock.advance(1);
    expect(deadReasons(dead)).toEqual([['first', 'expired']]);
    expect(getAll(q)).toEqual(['last']);
  });

  it('x-max-length with drop-head: the oldest goes (dead-lettered as maxlen), the publish is taken', () => {
    const { vhost } = manualVhost();
    const dead = withDeadLetters(vhost);
    const q = declareQueue(vhost, 'q', { 'x-max-length': int(2), 'x-dead-letter-exchange': str('dlx') });
    for (const body of ['a', 'b']) publish(vhost, '', 'q', body);
    expect(publishResult(vhost, '', 'q', 'c')).toMatchObject({ enqueued: 1, refused: 0, routed: true });
    expect(publishResult(vhost, '', 'q', 'd')).toMatchObject({ enqueued: 1, refused: 0 });
    expect(getAll(q)).toEqual(['c', 'd']);
    expect(deadReasons(dead)).toEqual([
      ['a', 'maxlen'],
      ['b', 'maxlen'],
    ]);
  });

  it('x-max-length with reject-publish: the new message is refused (a nack) and nothing in the queue moves', () => {
    const { vhost } = manualVhost();
    const dead = withDeadLetters(vhost);
    const q = declareQueue(vhost, 'q', { 'x-max-length': int(2), 'x-overflow': str('reject-publish'), 'x-dead-letter-exchange': str('dlx') });
    expect(publishResult(vhost, '', 'q', 'a')).toMatchObject({ enqueued: 1, refused: 0 });
    expect(publishResult(vhost, '', 'q', 'b')).toMatchObject({ enqueued: 1, refused: 0 });
    // Refused, yet routed: no basic.return, and the HTTP API says routed: true.
    expect(publishResult(vhost, '', 'q', 'c', {}, true)).toEqual({ enqueued: 0, refused: 1, held: 0, routed: true, mustReturn: false });
    expect(dead.messageCount).toBe(0); // plain reject-publish does not dead-letter
    expect(getAll(q)).toEqual(['a', 'b']);
    expect(publishResult(vhost, '', 'q', 'd')).toMatchObject({ enqueued: 1, refused: 0 }); // room again
  });

  it('x-max-length with reject-publish-dlx: refused and dead-lettered as maxlen', () => {
    const { vhost } = manualVhost();
    const dead = withDeadLetters(vhost);
    const q = declareQueue(vhost, 'q', { 'x-max-length': int(1), 'x-overflow': str('reject-publish-dlx'), 'x-dead-letter-exchange': str('dlx') });
    publish(vhost, '', 'q', 'kept');
    expect(publishResult(vhost, '', 'q', 'spilled')).toMatchObject({ enqueued: 0, refused: 1 });
    expect(getAll(q)).toEqual(['kept']);
    expect(deadReasons(dead)).toEqual([['spilled', 'maxlen']]);
  });

  it('x-max-length-bytes counts body bytes: exactly the limit fits, one byte over drops the head (or refuses)', () => {
    const { vhost } = manualVhost();
    const q = declareQueue(vhost, 'q', { 'x-max-length-bytes': int(10) });
    publish(vhost, '', 'q', '12345');
    publish(vhost, '', 'q', '67890');
    expect(q.messageBytes).toBe(10);
    expect(q.messageCount).toBe(2);
    publish(vhost, '', 'q', 'x');
    expect(getAll(q)).toEqual(['67890', 'x']);

    const r = declareQueue(vhost, 'r', { 'x-max-length-bytes': int(10), 'x-overflow': str('reject-publish') });
    expect(publishResult(vhost, '', 'r', '1234567890')).toMatchObject({ enqueued: 1 });
    expect(publishResult(vhost, '', 'r', 'y')).toMatchObject({ enqueued: 0, refused: 1 });
    expect(getAll(r)).toEqual(['1234567890']);
  });

  it('a delivery requeued through the QueueRef goes back to its place, flagged redelivered; others are not', () => {
    const { vhost } = manualVhost();
    const q = declareQueue(vhost, 'q');
    for (const body of ['a', 'b', 'c']) publish(vhost, '', 'q', body);
    const a = q.ref.get(false);
    expect(a).toMatchObject({ redelivered: false });
    const aSeq = a!.seq;
    const bSeq = q.ref.get(false)!.seq;
    expect(q.ref.reject(bSeq, true)).toBe(true);
    expect(q.ref.reject(aSeq, true)).toBe(true);
    const order: [string, boolean][] = [];
    for (let g = q.ref.get(true); g !== undefined; g = q.ref.get(true)) order.push([g.message.body.toString(), g.redelivered]);
    expect(order).toEqual([
      ['a', true],
      ['b', true],
      ['c', false],
    ]);
  });

  it('x-delivery-limit: requeued while it came back at most the limit times, then dead-lettered as delivery_limit', () => {
    const { vhost } = manualVhost();
    const dead = withDeadLetters(vhost);
    const q = declareQueue(vhost, 'q', { 'x-delivery-limit': int(2), 'x-dead-letter-exchange': str('dlx') });
    publish(vhost, '', 'q', 'poison');
    const counts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const got = q.ref.get(false);
      expect(got?.message.body.toString()).toBe('poison');
      counts.push(got!.deliveryCount);
      q.ref.reject(got!.seq, true);
    }
    expect(counts).toEqual([0, 1, 2]);
    expect(q.messageCount).toBe(0);
    expect(q.ref.get(false)).toBeUndefined();
    expect(deadReasons(dead)).toEqual([['poison', 'delivery_limit']]);
  });
});
