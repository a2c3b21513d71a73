import { describe, expect, it } from 'vitest';
import type { Message } from '../../../../src/core/message.js';
import { deathsOf, declareExchange, declareQueue, drained, getAll, int, manualVhost, publish, recordingConsumer, START, str } from '../manual-time.js';
import { brokerPrincipal } from '../../../../src/core/principal.js';

describe('message TTL on the manual clock', () => {
  it('a message with an expiration leaves at that millisecond wherever it sits; its neighbours keep their order', () => {
    const { clock, vhost } = manualVhost();
    const q = declareQueue(vhost, 'q');
    publish(vhost, '', 'q', 'm0');
    publish(vhost, '', 'q', 'm1', { expiration: '1000' });
    publish(vhost, '', 'q', 'm2');
    publish(vhost, '', 'q', 'm3', { expiration: '5000' });
    clock.advance(999);
    expect(q.messageCount).toBe(4);
    clock.advance(1);
    expect(q.messageCount).toBe(3); // m1 went from the middle, not only when it reached the head
    clock.advance(3999);
    expect(q.messageCount).toBe(3);
    clock.advance(1);
    expect(getAll(q)).toEqual(['m0', 'm2']);
  });

  it('x-message-ttl counts from each message\'s own enqueue time, and the lower of queue and message TTL wins', () => {
    const { clock, vhost } = manualVhost();
    const q = declareQueue(vhost, 'q', { 'x-message-ttl': int(2000) });
    publish(vhost, '', 'q', 'a');
    publish(vhost, '', 'q', 'short', { expiration: '500' });
    publish(vhost, '', 'q', 'long', { expiration: '9000' }); // capped at the queue's 2000
    clock.advance(1000);
    expect(q.messageCount).toBe(2); // 'short' expired at 500
    publish(vhost, '', 'q', 'b'); // due at 3000
    clock.advance(999);
    expect(q.messageCount).toBe(3);
    clock.advance(1);
    expect(q.messageCount).toBe(1); // 'a' and 'long' at 2000
    clock.advance(999);
    expect(q.messageCount).toBe(1);
    clock.advance(1);
    expect(getAll(q)).toEqual([]);
  });

  it('an expired message goes to the dead-letter exchange with x-death stamped at the moment it expired', () => {
    const { clock, vhost } = manualVhost();
    declareExchange(vhost, 'dlx', 'fanout');
    const q = declareQueue(vhost, 'work', { 'x-dead-letter-exchange': str('dlx') });
    const dead = declareQueue(vhost, 'dead');
    vhost.bindQueue('dead', 'dlx', '', {}, brokerPrincipal('/'));
    publish(vhost, '', 'work', 'late', { expiration: '1750' });
    publish(vhost, '', 'work', 'later', { expiration: '4000' });
    clock.advance(1749);
    expect(dead.messageCount).toBe(0);
    clock.advance(1);
    expect(q.messageCount).toBe(1);
    const e = dead.get();
    expect(e?.message.body.toString()).toBe('late');
    const [death] = deathsOf(e?.message as Message);
    // START is 00:00:00.250, so 1750 ms later is exactly 00:00:02: a stamp off by the wall clock or by a second shows.
    expect(death).toMatchObject({ reason: 'expired', queue: 'work', exchange: '', 'routing-keys': ['work'], count: 1, 'original-expiration': '1750' });
    expect(Number(death?.['time'])).toBe((START + 1750) / 1000);
    expect(e?.message.properties.expiration).toBeUndefined();
  });

  it('an unacked message is not expired under its consumer; requeued after its TTL, it is dead-lettered instead of redelivered', async () => {
    const { clock, vhost } = manualVhost();
    declareExchange(vhost, 'dlx', 'fanout');
    const q = declareQueue(vhost, 'work', { 'x-dead-letter-exchange': str('dlx') });
    const dead = declareQueue(vhost, 'dead');
    vhost.bindQueue('dead', 'dlx', '', {}, brokerPrincipal('/'));
    const consumer = recordingConsumer(q);
    publish(vhost, '', 'work', 'held', { expiration: '1000' });
    await drained();
    expect(consumer.bodies).toEqual(['held']);
    clock.advance(5000);
    expect(dead.messageCount).toBe(0);
    expect(q.ref.reject(consumer.seqs[0]!, true)).toBe(true);
    await drained();
    expect(consumer.bodies).toEqual(['held']);
    const [death] = deathsOf(dead.get()!.message);
    expect(death).toMatchObject({ reason: 'expired', queue: 'work' });
    expect(Number(death?.['time'])).toBe(Math.floor((START + 5000) / 1000));
  });
});
