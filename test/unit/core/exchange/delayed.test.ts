import { describe, expect, it } from 'vitest';
import type { BasicProperties } from '../../../../src/protocol/content-header.js';
import { declareExchange, declareQueue, getAll, manualVhost, OWNER, publish, str } from '../manual-time.js';

function delayedSetup(): ReturnType<typeof manualVhost> & { q: ReturnType<typeof declareQueue> } {
  const env = manualVhost();
  declareExchange(env.vhost, 'later', 'x-delayed-message', { 'x-delayed-type': str('direct') });
  const q = declareQueue(env.vhost, 'q');
  env.vhost.bindQueue('q', 'later', 'k', {}, OWNER);
  return { ...env, q };
}

const delay = (ms: number, extra: BasicProperties = {}): BasicProperties => ({ ...extra, headers: { 'x-delay': { type: 'int64', value: ms } } });

describe('delayed-message exchange on the manual clock', () => {
  it('holds each message until its x-delay has passed, then routes them in due order (FIFO for equal times)', () => {
    const { clock, vhost, q } = delayedSetup();
    publish(vhost, 'later', 'k', 'c', delay(3000));
    publish(vhost, 'later', 'k', 'a', delay(1000));
    publish(vhost, 'later', 'k', 'b', delay(1000));
    publish(vhost, 'later', 'k', 'now', delay(0));
    publish(vhost, 'later', 'k', 'negative', delay(-5)); // as the plugin: now
    expect(q.messageCount).toBe(2);
    clock.advance(999);
    expect(q.messageCount).toBe(2);
    clock.advance(1);
    expect(q.messageCount).toBe(4);
    clock.advance(1999);
    expect(q.messageCount).toBe(4);
    clock.advance(1);
    expect(getAll(q)).toEqual(['now', 'negative', 'a', 'b', 'c']);
    expect(clock.pending).toBe(0);
  });

  it('a released message\'s expiration counts from its release, not from its publish', () => {
    const { clock, vhost, q } = delayedSetup();
    publish(vhost, 'later', 'k', 'short-lived', delay(1000, { expiration: '500' }));
    clock.advance(1000);
    expect(q.messageCount).toBe(1);
    clock.advance(499);
    expect(q.messageCount).toBe(1);
    clock.advance(1);
    expect(getAll(q)).toEqual([]);
  });

  it('delays beyond setTimeout\'s 2^31-1 ms ceiling are kept to the millisecond', () => {
    const { clock, vhost, q } = delayedSetup();
    const long = 2 ** 32 - 1; // the plugin's largest delay, about 49.7 days
    publish(vhost, 'later', 'k', 'far', delay(long));
    clock.advance(long - 1);
    expect(q.messageCount).toBe(0);
    clock.advance(1);
    expect(getAll(q)).toEqual(['far']);
  });

  it('thousands due at once are all released (in batches), in publish order', () => {
    const { clock, vhost, q } = delayedSetup();
    const n = 12_345; // more than two release batches
    for (let i = 0; i < n; i++) publish(vhost, 'later', 'k', String(i), delay(100));
    clock.advance(100);
    const got = getAll(q);
    expect(got.length).toBe(n);
    expect(got.every((b, i) => b === String(i))).toBe(true);
  });

  it('deleting the exchange drops what it holds: nothing is released later', () => {
    const { clock, vhost, q } = delayedSetup();
    publish(vhost, 'later', 'k', 'never', delay(1000));
    expect(clock.pending).toBe(1);
    vhost.deleteExchange('later', false);
    expect(clock.pending).toBe(0);
    clock.advance(5000);
    expect(q.messageCount).toBe(0);
  });
});
