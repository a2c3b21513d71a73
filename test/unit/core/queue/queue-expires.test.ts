import { describe, expect, it } from 'vitest';
import type { VirtualHost } from '../../../../src/core/vhost.js';
import { declareQueue, int, manualVhost, OWNER, publish, recordingConsumer } from '../manual-time.js';

/** What a client's passive queue.declare sees: the queue, or 404 NOT_FOUND. */
function exists(vhost: VirtualHost, name: string): boolean {
  try {
    vhost.declareQueue({ name, passive: true, durable: false, exclusive: false, autoDelete: false, arguments: {} }, OWNER);
    return true;
  } catch (err) {
    expect((err as Error).message).toMatch(/NOT_FOUND/);
    return false;
  }
}

/**
 * Whether the queue still exists: a passive declare would itself count as use.
 */
function stillThere(vhost: VirtualHost, name: string): boolean {
  return vhost.queues.has(name);
}

describe('x-expires on the manual clock', () => {
  it('an unused queue is deleted x-expires after it was declared, with its messages', () => {
    const { clock, vhost } = manualVhost();
    declareQueue(vhost, 'q', { 'x-expires': int(1000) });
    publish(vhost, '', 'q', 'lost'); // messages are not use
    clock.advance(999);
    expect(stillThere(vhost, 'q')).toBe(true);
    clock.advance(1);
    expect(exists(vhost, 'q')).toBe(false);
    expect(publish(vhost, '', 'q', 'after')).toBe(0); // unroutable now
    expect(clock.pending).toBe(0);
  });

  it('basic.get and a redeclare restart the countdown', () => {
    const { clock, vhost } = manualVhost();
    const q = declareQueue(vhost, 'q', { 'x-expires': int(1000) });
    clock.advance(800);
    q.get(); // get-empty is use too
    clock.advance(999);
    expect(stillThere(vhost, 'q')).toBe(true);
    declareQueue(vhost, 'q', { 'x-expires': int(1000) }); // at 1799
    clock.advance(999);
    expect(stillThere(vhost, 'q')).toBe(true);
    clock.advance(1);
    expect(exists(vhost, 'q')).toBe(false);
  });

  it('a consumer keeps the queue however long it stays (without the timer spinning); the countdown starts when it leaves', () => {
    const { clock, vhost } = manualVhost();
    const q = declareQueue(vhost, 'q', { 'x-expires': int(1000) });
    const consumer = recordingConsumer(q);
    clock.advance(60_000); // the manual clock throws if a timer keeps firing without time passing
    expect(stillThere(vhost, 'q')).toBe(true);
    consumer.cancel();
    clock.advance(999);
    expect(stillThere(vhost, 'q')).toBe(true);
    clock.advance(1);
    expect(exists(vhost, 'q')).toBe(false);
  });

  it('deleting the queue first cancels its timers, and a queue without x-expires arms none', () => {
    const { clock, vhost } = manualVhost();
    declareQueue(vhost, 'plain');
    expect(clock.pending).toBe(0);
    declareQueue(vhost, 'q', { 'x-expires': int(1000) });
    publish(vhost, '', 'q', 'ttl', { expiration: '5000' });
    expect(clock.pending).toBe(2); // x-expires and the message-expiry timer: one each per queue, not per message
    publish(vhost, '', 'q', 'ttl2', { expiration: '6000' });
    expect(clock.pending).toBe(2);
    vhost.deleteQueue('q', OWNER, false, false);
    expect(clock.pending).toBe(0);
  });
});
